import protobuf from 'protobufjs';

/**
 * A decoded protobuf number field as a JavaScript number: protobufjs hands out int64 fields as
 * `Long` objects when the `long` package is loadable, as numbers or strings otherwise.
 */
export function protobufNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const { low, high, unsigned } = value as { low: number; high: number; unsigned?: boolean };
    return new protobuf.util.LongBits(low >>> 0, high >>> 0).toNumber(unsigned === true);
  }
  return 0;
}
