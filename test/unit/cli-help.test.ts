/**
 * The help a user reads is part of the interface: `layerbench --help` and every command's
 * `--help` stay byte for byte what test/fixtures/help/ holds (captured from the built CLI,
 * 110 columns, no terminal). A change to an option's text, default or alias shows here first;
 * when it is meant, capture the fixture again with `node dist/bin.js <command> --help`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runMain } from './support/in-process-cli.js';

const COMMANDS = ['run', 'report', 'compare', 'merge', 'pull', 'doctor', 'bootstrap', 'clean'] as const;

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/help/${name}.txt`, import.meta.url), 'utf8');
}

describe('the help text stays what users have read', () => {
  it('layerbench --help lists every command, the usage and the exit codes as before', async () => {
    const outcome = await runMain(['--help'], {});
    expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
    expect(outcome.stdout).toBe(fixture('layerbench'));
  });

  it.each(COMMANDS)('layerbench %s --help is byte-identical to its fixture', async (command) => {
    const outcome = await runMain([command, '--help'], {});
    expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
    expect(outcome.stdout).toBe(fixture(command));
  });
});
