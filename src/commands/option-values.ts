/**
 * Checks on option values, as pure functions yargs applies while parsing: a value that is
 * not what the option takes is a UsageError naming the option and the value given. Ranges
 * are the scenario schema's, checked where the overrides are applied.
 */
import { UsageError } from '../errors.js';

/** A whole number, written as one (`3`, not `3.0`, `abc` or `1e3`). */
export function integerOption(option: string): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const text = String(Array.isArray(value) ? value.at(-1) : value).trim();
    if (!/^-?\d+$/.test(text)) throw new UsageError(`${option} takes a whole number; it was given "${text}".`);
    return Number(text);
  };
}

/** A string that is not empty (`-s ""`, or `-s` followed by nothing). */
export function nonEmptyOption(option: string, what: string): (value: unknown) => string {
  return (value) => {
    const text = String(Array.isArray(value) ? value.at(-1) : value ?? '');
    if (text.trim() === '') throw new UsageError(`${option} needs ${what}; it was given an empty value.`);
    return text;
  };
}

/** A percentage, `10%` or `10`, as a fraction (0.1). */
export function percentOption(option: string): (value: unknown) => number {
  return (value) => {
    const text = String(Array.isArray(value) ? value.at(-1) : value).trim();
    const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(text);
    if (match === null) throw new UsageError(`${option} takes a percentage such as 10%; it was given "${text}".`);
    return Number(match[1]) / 100;
  };
}

/** A percentage as `percentOption` reads it, for an option that has no default. */
export function optionalPercentOption(option: string): (value: unknown) => number | undefined {
  const parse = percentOption(option);
  return (value) => (value === undefined ? undefined : parse(value));
}

/** A duration, `90s`, `20m`, `1h` or `1h30m` (a bare number is seconds), in ms. */
export function durationOption(option: string): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const text = String(Array.isArray(value) ? value.at(-1) : value).trim();
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text);
    const [, hours, minutes, seconds] = match ?? [];
    const ms = ((Number(hours ?? 0) * 60 + Number(minutes ?? 0)) * 60 + Number(seconds ?? 0)) * 1000;
    if (match === null || text === '' || ms <= 0) throw new UsageError(`${option} takes a duration such as 90s, 20m or 1h30m; it was given "${text}".`);
    return ms;
  };
}

/** A probability strictly between 0 and 1 (a significance level). */
export function probabilityOption(option: string): (value: unknown) => number {
  return (value) => {
    const text = String(Array.isArray(value) ? value.at(-1) : value).trim();
    const number = Number(text);
    if (text === '' || !Number.isFinite(number) || number <= 0 || number >= 1) throw new UsageError(`${option} takes a number between 0 and 1 such as 0.05; it was given "${text}".`);
    return number;
  };
}

/**
 * Repeatable `KEY=VALUE` pairs (`--build-arg`, `--base-map`) as a record; the value may hold
 * `=` itself, the key may not be empty.
 */
export function keyValueOption(option: string, example: string): (value: unknown) => Record<string, string> | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const pairs: Record<string, string> = {};
    for (const item of (Array.isArray(value) ? value : [value]).map(String)) {
      const at = item.indexOf('=');
      if (at <= 0) throw new UsageError(`${option} takes KEY=VALUE, e.g. ${option} ${example}; it was given "${item}".`);
      pairs[item.slice(0, at).trim()] = item.slice(at + 1).trim();
    }
    return pairs;
  };
}

/** `classic`, `buildkit`, or both comma-separated (`classic,buildkit`), in the order given. */
export function builderListOption(option: string): (value: unknown) => ('classic' | 'buildkit')[] | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const names = String(Array.isArray(value) ? value.join(',') : value).split(',').map((n) => n.trim()).filter((n) => n !== '');
    const unknown = names.filter((n) => n !== 'classic' && n !== 'buildkit');
    if (names.length === 0 || unknown.length > 0) throw new UsageError(`${option} takes classic, buildkit, or both as classic,buildkit; it was given "${String(value)}".`);
    return [...new Set(names)] as ('classic' | 'buildkit')[];
  };
}
