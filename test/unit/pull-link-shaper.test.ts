/**
 * The link shaper run in the registry's container (a fake engine's exec): netem tried once,
 * the link shaped with netem (latency and rate) or a token bucket (rate alone), cleared after,
 * and a tc command that fails is a LinkShapeError.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecOutcome } from '../../src/engine/docker-engine.js';
import { LinkShapeError } from '../../src/errors.js';
import { LinkShaper, type LinkShape } from '../../src/pull/link-shaper.js';
import { FakeEngine } from '../support/fake-engine.js';

let engine: FakeEngine;
let registry: string;
let commands: string[];

beforeEach(async () => {
  engine = new FakeEngine();
  registry = await engine.containers.runDetached('base:1', { labels: {}, hostNetwork: false });
  commands = [];
});

afterEach(async () => {
  await engine.close();
});

/** The registry's tc answers `answer` for each command (all succeed by default). */
function tcAnswers(answer: (command: string) => ExecOutcome = () => ({ exitCode: 0, output: '' })): void {
  engine.containers.exec = async (id, command) => {
    expect(id).toBe(registry);
    commands.push(command.join(' '));
    return answer(command.join(' '));
  };
}

const shaperOf = (shape: LinkShape): Promise<LinkShaper> => LinkShaper.forContainer(engine, registry, shape);
const noNetem = (command: string): ExecOutcome => (command.includes('netem') ? { exitCode: 2, output: 'Error: Specified qdisc kind is unknown.\n' } : { exitCode: 0, output: '' });

describe('the link shaper', () => {
  it('tries netem once on the registry\'s interface and removes it again', async () => {
    tcAnswers();
    const shaper = await shaperOf({ bandwidth: '100mbit', latency: '20ms' });
    expect(shaper.netem).toBe(true);
    expect(commands).toEqual(['tc qdisc add dev eth0 root netem delay 1ms', 'tc qdisc del dev eth0 root']);
    expect(shaper.latencyRecord).toBe('20ms');
  });

  it('with netem: latency and rate in one qdisc; off clears it', async () => {
    tcAnswers();
    const shaper = await shaperOf({ bandwidth: '100mbit', latency: '20ms' });
    commands = [];
    await shaper.on();
    await shaper.off();
    expect(commands).toEqual(['tc qdisc replace dev eth0 root netem delay 20ms rate 100mbit', 'tc qdisc del dev eth0 root']);
  });

  it('with netem and an unlimited link: latency alone', async () => {
    tcAnswers();
    const shaper = await shaperOf({ bandwidth: 'unlimited', latency: '20ms' });
    commands = [];
    await shaper.on();
    expect(commands).toEqual(['tc qdisc replace dev eth0 root netem delay 20ms']);
  });

  it('without netem: the rate with a token bucket, and the latency recorded as not shaped', async () => {
    tcAnswers(noNetem);
    const shaper = await shaperOf({ bandwidth: '100mbit', latency: '20ms' });
    expect(shaper.netem).toBe(false);
    expect(commands).toEqual(['tc qdisc add dev eth0 root netem delay 1ms']);
    expect(shaper.latencyRecord).toBe('not shaped (this kernel has no netem)');
    commands = [];
    await shaper.on();
    expect(commands).toEqual(['tc qdisc replace dev eth0 root tbf rate 100mbit burst 256kb latency 50ms']);
  });

  it('no latency asked: none recorded, only the rate shaped', async () => {
    tcAnswers();
    const shaper = await shaperOf({ bandwidth: '1gbit', latency: 'none' });
    expect(shaper.latencyRecord).toBe('none');
    commands = [];
    await shaper.on();
    expect(commands).toEqual(['tc qdisc replace dev eth0 root tbf rate 1gbit burst 489kb latency 50ms']);
  });

  it('an unlimited link without latency (or without netem) runs no command', async () => {
    tcAnswers(noNetem);
    const shaper = await shaperOf({ bandwidth: 'unlimited', latency: '20ms' });
    commands = [];
    await shaper.on();
    expect(commands).toEqual([]);
  });

  it('a tc command that fails is a LinkShapeError with the command and what tc said', async () => {
    tcAnswers((command) => (command.includes('replace') ? { exitCode: 2, output: 'RTNETLINK answers: Operation not permitted\n' } : { exitCode: 0, output: '' }));
    const shaper = await shaperOf({ bandwidth: '100mbit', latency: '20ms' });
    const failure = await shaper.on().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(LinkShapeError);
    expect(failure).toMatchObject({ command: 'tc qdisc replace dev eth0 root netem delay 20ms rate 100mbit', output: 'RTNETLINK answers: Operation not permitted' });
  });

  it('off is fine where there is nothing to clear', async () => {
    tcAnswers((command) => (command.includes(' del ') ? { exitCode: 2, output: 'Error: Cannot delete qdisc with handle of zero.\n' } : { exitCode: 0, output: '' }));
    const shaper = await shaperOf({ bandwidth: '100mbit', latency: 'none' });
    await expect(shaper.off()).resolves.toBeUndefined();
  });

  it('runs in the registry\'s container through the engine (the fake daemon logs each command)', async () => {
    const shaper = await shaperOf({ bandwidth: '100mbit', latency: 'none' });
    await shaper.on();
    expect(engine.log.filter((line) => line.startsWith('containers.exec'))).toEqual([
      `containers.exec ${registry} tc qdisc add dev eth0 root netem delay 1ms`,
      `containers.exec ${registry} tc qdisc del dev eth0 root`,
      `containers.exec ${registry} tc qdisc replace dev eth0 root tbf rate 100mbit burst 256kb latency 50ms`,
    ]);
  });
});
