/**
 * Loads a recorded build stream (test/fixtures/*.jsonl, made by scripts/record-build-stream.mjs)
 * and feeds it to a progress decoder, message by message, with the recorded arrival times.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildStreamMessage, DecodedBuild } from '../../../src/engine/build-trace.js';

export interface RecordedMessage {
  /** ms since the build request started */
  t: number;
  msg: BuildStreamMessage;
}

export interface ProgressDecoder {
  push(message: BuildStreamMessage, atMs: number): void;
  finish(atMs: number): DecodedBuild;
}

const FIXTURES = new URL('../../fixtures/', import.meta.url);

export function loadFixture(name: string): RecordedMessage[] {
  const text = readFileSync(fileURLToPath(new URL(`${name}.jsonl`, FIXTURES)), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = JSON.parse(line) as Partial<RecordedMessage>;
      if (typeof parsed.t !== 'number' || typeof parsed.msg !== 'object' || parsed.msg === null) {
        throw new Error(`${name}.jsonl line ${i + 1} is not {"t": …, "msg": …}`);
      }
      return { t: parsed.t, msg: parsed.msg };
    });
}

/** Replays the fixture into the decoder; finishes at the last message's time. */
export function replayFixture(name: string, decoder: ProgressDecoder): DecodedBuild {
  const messages = loadFixture(name);
  for (const { t, msg } of messages) decoder.push(msg, t);
  return decoder.finish(messages.at(-1)?.t ?? 0);
}

/** The last image ID the daemon reported in the fixture (classic `aux.ID`, BuildKit `moby.image.id`). */
export function lastReportedImageId(name: string): string | undefined {
  const ids = loadFixture(name).flatMap(({ msg }) => (typeof msg.aux === 'object' && typeof msg.aux.ID === 'string' ? [msg.aux.ID] : []));
  return ids.at(-1);
}

export interface StepEvent {
  index: number;
  total: number;
  instruction: string;
}

/** Replays a fixture into a decoder made with an `onStep` that records every step event. */
export function replayWithEvents(
  name: string,
  makeDecoder: (onStep: (index: number, total: number, instruction: string) => void) => ProgressDecoder,
): { build: DecodedBuild; events: StepEvent[] } {
  const events: StepEvent[] = [];
  const build = replayFixture(name, makeDecoder((index, total, instruction) => events.push({ index, total, instruction })));
  return { build, events };
}

/** The Dockerfile a fixture was recorded from (test/fixtures/contexts/<name>/Dockerfile). */
export function fixtureDockerfile(context: 'app' | 'failing' | 'multistage'): string {
  return readFileSync(fileURLToPath(new URL(`contexts/${context}/Dockerfile`, FIXTURES)), 'utf8');
}
