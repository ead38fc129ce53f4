/** What the experiment's registry holds of an image: its layers' blob digests and compressed sizes. */
import { RegistryError } from '../errors.js';

export interface ManifestLayer {
  digest: string;
  /** compressed bytes, as they cross the link */
  size: number;
}

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/** Reads the manifest over the registry's port on 127.0.0.1; a registry that does not serve it is a RegistryError. */
export async function manifestLayers(registryPort: number, repository: string, tag: string): Promise<ManifestLayer[]> {
  const registry = `127.0.0.1:${registryPort}`;
  let manifest: { layers?: { digest?: unknown; size?: unknown }[] };
  try {
    const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, { headers: { accept: MANIFEST_V2 }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new RegistryError(registry, `has no manifest for ${repository}:${tag} (HTTP ${response.status})`);
    manifest = (await response.json()) as typeof manifest;
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    // no answer, none within 10 s, or an answer that is not JSON
    const cause = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
    throw new RegistryError(registry, `did not serve the manifest of ${repository}:${tag} (${typeof cause === 'string' ? cause : err instanceof Error ? err.message : String(err)})`);
  }
  return (manifest.layers ?? []).map((layer) => ({ digest: String(layer.digest), size: Number(layer.size) }));
}

/** The stream names a layer by the first 12 hex digits of its digest. */
export function shortLayerId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
