/**
 * The house's floors, as .dependency-cruiser.cjs declares them: imports run one way (result at
 * the bottom, the command line at the top), no import circles, only engine/ talks to dockerode.
 */
import { createRequire } from 'node:module';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };

async function violations(): Promise<string[]> {
  const outcome: IReporterOutput = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } } as never);
  const output = outcome.output as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('the import graph of src/', () => {
  it('has no import that runs up a floor, no circle, no dockerode outside engine/, no file without a floor', async () => {
    expect(await violations()).toEqual([]);
  }, 60_000);

  it('declares the floors from the result contract up to the command line', () => {
    const names = (config.forbidden as { name: string }[]).map((rule) => rule.name);
    expect(names.slice(0, 3)).toEqual(['kernel-imports-no-floor-above', 'result-imports-no-floor-above', 'scenario-imports-no-floor-above']);
    expect(names).toContain('commands-imports-no-floor-above');
    expect(names).toContain('no-circular');
  });
});
