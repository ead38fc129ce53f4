/**
 * Which builder and which driver a run uses, and why, said once before the first build.
 *
 * - Builder: the scenario's (or `--builder`'s); where neither names one, the daemon's own
 *   default (its `/_ping` Builder-Version: BuildKit on Engine 23 and later, classic before).
 * - Driver: `cli` runs the docker CLI, so the timed build is the user's build by construction;
 *   `api` sends the build through the Engine API (the library's path, and the one where no
 *   CLI can build). `auto` picks `cli` for each builder the CLI here can build with.
 */
import type { Builder, BuildDriver } from '../result/types.js';
import { cliCanBuild, cliVersionOf, describeCliBuild, type DockerCli } from '../engine/cli/docker-cli.js';
import type { EngineFacts } from '../engine/docker-engine.js';
import { BuildDriverError } from '../errors.js';

export type DriverOption = BuildDriver | 'auto';

export interface BuildChoice {
  builders: Builder[];
  driverFor: Record<Builder, BuildDriver>;
  /** the CLI's version as a result records it; null when no build runs through the CLI */
  dockerCli: string | null;
  /** one line each: the builder and the driver, and why */
  notes: string[];
}

export function chooseBuild(
  scenarioBuilders: readonly Builder[],
  facts: Pick<EngineFacts, 'defaultBuilder'>,
  cli: DockerCli | undefined,
  driver: DriverOption,
): BuildChoice {
  const builders = scenarioBuilders.length > 0 ? [...scenarioBuilders] : [facts.defaultBuilder.builder];
  const notes = [scenarioBuilders.length > 0 ? `builder: ${builders.join(', ')} (named by the scenario or --builder)` : `builder: ${builders.join('')} (${facts.defaultBuilder.why}; --builder overrides)`];
  const driverFor: Record<Builder, BuildDriver> = { classic: 'api', buildkit: 'api' };
  let dockerCli: string | null = null;
  for (const builder of builders) {
    const usable = cli !== undefined && cliCanBuild(cli, builder);
    if (driver === 'cli' && !usable) {
      throw new BuildDriverError(
        `--driver cli: ${cli === undefined ? 'no docker CLI runs on this machine' : `the docker CLI here (${cli.clientVersion}) cannot build with BuildKit: it has no buildx plugin`}.`,
        cli === undefined ? 'Install the docker CLI, or use --driver api.' : 'Install the buildx plugin (`docker buildx version` must answer), or use --driver api.',
      );
    }
    if (driver === 'api' || !usable) {
      notes.push(`driver for ${builder}: api (${driver === 'api' ? '--driver api' : cli === undefined ? 'no docker CLI found' : 'the docker CLI here has no buildx'}): layerbench sends the build through the Engine API${builder === 'buildkit' ? ' with a BuildKit session (file sync)' : ' with the context as a tar'}`);
      continue;
    }
    driverFor[builder] = 'cli';
    // the buildx version says more than the client's alone
    if (cli !== undefined && (dockerCli === null || builder === 'buildkit')) dockerCli = cliVersionOf(cli, builder);
    if (cli !== undefined) notes.push(`driver for ${builder}: cli: ${describeCliBuild(cli, builder)} runs each build; its whole run is timed, as the user waits for it`);
  }
  return { builders, driverFor, dockerCli, notes };
}
