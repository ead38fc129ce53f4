import { randomBytes } from 'node:crypto';

/** `20261125-163012-a1b2`: sortable by time, unique, and safe in labels, tags and paths. */
export function newRunId(at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
