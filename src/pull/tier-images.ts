/**
 * What the pull experiment builds, in order: the shared tiers f1 → f2 → f3, the two apps on
 * them, and the same two apps built monolithically, each from the OS alone and without cache,
 * so that they share nothing but the OS layer. Pure: the scale and the bases in, the builds out.
 */
import type { PullScale } from '../scenario/pull-scenario.js';

export type TierName = 'f1' | 'f2' | 'f3' | 'app1' | 'app2' | 'app1-monolithic' | 'app2-monolithic';

export interface TierBuild {
  name: TierName;
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** the monolithic builds repeat every step, so that no layer but the OS is shared */
  noCache: boolean;
}

export interface TierInputs {
  scale: PullScale;
  /** the image the apps' OS tier starts from */
  osImage: string;
  /** the package index's build args (empty where PyPI answers) */
  indexArgs: Record<string, string>;
  /** the image reference each build is tagged with */
  tagOf: (name: TierName) => string;
}

export function tierBuildPlan(inputs: TierInputs): TierBuild[] {
  const { scale, osImage, indexArgs, tagOf } = inputs;
  const packages = {
    SECURITY_PACKAGES: scale.securityPackages.join(' '),
    GENERAL_PACKAGES: scale.generalPackages.join(' '),
    MODEL_PACKAGES: scale.modelPackages.join(' '),
    MODEL_BYTES: String(scale.modelBytes),
  };
  const app = (name: 'app1' | 'app2'): Record<string, string> => ({ APP: name, ASSET_BYTES: String(scale.appAssetBytes) });
  return [
    { name: 'f1', dockerfile: 'f1-security.Dockerfile', buildArgs: { OS_BASE: osImage, SECURITY_PACKAGES: packages.SECURITY_PACKAGES }, noCache: false },
    { name: 'f2', dockerfile: 'f2-general.Dockerfile', buildArgs: { F1_IMAGE: tagOf('f1'), GENERAL_PACKAGES: packages.GENERAL_PACKAGES, ...indexArgs }, noCache: false },
    { name: 'f3', dockerfile: 'f3-model.Dockerfile', buildArgs: { F2_IMAGE: tagOf('f2'), MODEL_PACKAGES: packages.MODEL_PACKAGES, MODEL_BYTES: packages.MODEL_BYTES, ...indexArgs }, noCache: false },
    { name: 'app1', dockerfile: 'app.Dockerfile', buildArgs: { F3_IMAGE: tagOf('f3'), ...app('app1') }, noCache: false },
    { name: 'app2', dockerfile: 'app.Dockerfile', buildArgs: { F3_IMAGE: tagOf('f3'), ...app('app2') }, noCache: false },
    { name: 'app1-monolithic', dockerfile: 'monolithic.Dockerfile', buildArgs: { OS_BASE: osImage, ...packages, ...indexArgs, ...app('app1') }, noCache: true },
    { name: 'app2-monolithic', dockerfile: 'monolithic.Dockerfile', buildArgs: { OS_BASE: osImage, ...packages, ...indexArgs, ...app('app2') }, noCache: true },
  ];
}

/**
 * The tier each layer of the images belongs to: the OS's layers (the first `osLayers` of every
 * image), then each tier's own, the first image that has a layer naming it. A monolithic
 * image's layers beyond the OS are its `own`.
 */
export function tierOfLayers(manifests: ReadonlyMap<TierName, readonly string[]>, osLayers: number): Map<string, string> {
  const tiers = new Map<string, string>();
  for (const name of ['f1', 'f2', 'f3', 'app1', 'app2', 'app1-monolithic', 'app2-monolithic'] as const) {
    const layers = manifests.get(name) ?? [];
    layers.forEach((digest, i) => {
      if (tiers.has(digest)) return;
      tiers.set(digest, i < osLayers ? 'os' : name.endsWith('monolithic') ? 'own' : name.startsWith('app') ? 'app' : name);
    });
  }
  return tiers;
}
