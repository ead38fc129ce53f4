/** What the experiment's registry holds of an image: its layers' blob digests and compressed sizes. */

export interface ManifestLayer {
  digest: string;
  /** compressed bytes, as they cross the link */
  size: number;
}

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/** Reads the manifest over the registry's port on 127.0.0.1. */
export async function manifestLayers(registryPort: number, repository: string, tag: string): Promise<ManifestLayer[]> {
  const response = await fetch(`http://127.0.0.1:${registryPort}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_V2 }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`the registry has no manifest for ${repository}:${tag} (HTTP ${response.status})`);
  const manifest = (await response.json()) as { layers?: { digest?: unknown; size?: unknown }[] };
  return (manifest.layers ?? []).map((layer) => ({ digest: String(layer.digest), size: Number(layer.size) }));
}

/** The stream names a layer by the first 12 hex digits of its digest. */
export function shortLayerId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
