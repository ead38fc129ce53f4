/**
 * A shuffle that a seed reproduces: mulberry32 (a 32-bit generator, plenty for ordering a
 * handful of builds) driving Fisher–Yates. Each call of the returned function draws the next
 * order from the same stream, so one seed fixes every round of a run.
 */
export function seededShuffle(seed: number): <T>(items: readonly T[]) => T[] {
  const next = mulberry32(seed);
  return <T>(items: readonly T[]): T[] => {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
}

/** A seed for a run that names none: any 32-bit value, recorded so that `--seed` repeats the order. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
