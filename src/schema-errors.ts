/**
 * Turns a JSON Schema validator's first error into what a user reads: the field, in the
 * notation they would write (`variants[0].dockerfile`), and what was expected of it.
 */
import type { ErrorObject } from 'ajv';

/** `/variants/0/dockerfile` → `variants[0].dockerfile` (plus the missing property, if any). */
export function fieldOf(error: ErrorObject | undefined): string {
  if (error === undefined) return '';
  let field = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
  const extra =
    error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty
    : error.keyword === 'additionalProperties' ? (error.params as { additionalProperty: string }).additionalProperty
    : undefined;
  if (extra !== undefined) field = field === '' ? extra : `${field}.${extra}`;
  return field;
}

export function expectationOf(error: ErrorObject | undefined, describePattern: (pattern: string) => string = (p) => `must match ${p}`): string {
  if (error === undefined) return 'is not valid';
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field here';
    case 'enum':
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case 'pattern':
      return describePattern((error.params as { pattern: string }).pattern);
    case 'type':
      return `must be ${articled((error.params as { type: string }).type)}`;
    default:
      return error.message ?? 'is not valid';
  }
}

function articled(type: string): string {
  const first = type.split(',')[0] ?? type;
  return /^[aeiou]/.test(first) ? `an ${type.replace(/,/g, ' or ')}` : `a ${type.replace(/,/g, ' or ')}`;
}
