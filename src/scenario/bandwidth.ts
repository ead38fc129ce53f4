/** Link rates as scenarios and options write them: `100mbit`, `1gbit`, `512kbit`, or `unlimited`. */

/** The JSON Schema pattern of a rate. */
export const BANDWIDTH = '^(unlimited|\\d+(\\.\\d+)?(kbit|mbit|gbit))$';

/** `100mbit` → 1e8 bits/s; `unlimited` → null. */
export function bitsPerSecond(bandwidth: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(kbit|mbit|gbit)$/.exec(bandwidth);
  if (match === null) return null;
  const factor = { kbit: 1e3, mbit: 1e6, gbit: 1e9 }[match[2] as 'kbit' | 'mbit' | 'gbit'];
  return Number(match[1]) * factor;
}
