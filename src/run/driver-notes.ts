/**
 * How each builder's builds ran, for a reader of the result: which driver, and how the context
 * reached the builder. The transport is read off the samples, since the API driver falls back
 * to a tar only when the daemon refuses a session, which nothing knows before the first build.
 */
import type { Builder, BuildSample, RunNote } from '../result/types.js';
import type { BuildChoice } from './choose-build.js';

export function driverNotes(choice: Pick<BuildChoice, 'builders' | 'driverFor' | 'dockerCli'>, samples: readonly BuildSample[]): RunNote[] {
  return choice.builders.map((builder) =>
    choice.driverFor[builder] === 'cli'
      ? {
          code: `driver-cli-${builder}`,
          message: `${builder} builds ran through the docker CLI (${choice.dockerCli ?? 'docker'}): each sample's time is the CLI's whole run, what a user waits for${builder === 'buildkit' ? '; the CLI syncs the context over its BuildKit session' : '; the CLI sends the context as a tar'}`,
        }
      : { code: `driver-api-${builder}`, message: `${builder} builds ran through the Engine API: ${apiTransport(builder, samples)}; the docker CLI's fixed cost (its start, its session, the export) is not in the time` },
  );
}

function apiTransport(builder: Builder, samples: readonly BuildSample[]): string {
  if (builder === 'classic') return 'the context was sent as a tar';
  const transports = new Set(samples.filter((s) => s.builder === builder && s.driver === 'api').map((s) => s.contextSent?.transport));
  if (transports.has('tar')) return `the daemon refused a BuildKit session, so the context was sent as a tar${transports.has('session') ? ' for some builds' : ''} (all of it, on every build)`;
  if (transports.has('session')) return "a BuildKit session of layerbench's served the context (file sync: the files the Dockerfile names, of those only what changed)";
  return "a BuildKit session of layerbench's serves the context where the daemon takes one, else a tar (no build has run yet)";
}
