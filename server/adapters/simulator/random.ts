// Seeded randomness. Figures that vary over time are drawn from a hash of (seed, stream,
// time bucket) rather than from one sequential generator, so the simulated traffic at an
// instant does not depend on how often, or in which order, the fleet was ticked.

/** mulberry32: a tiny 32-bit PRNG, good enough for simulation and fully reproducible. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a style mix of small integers into one 32-bit seed. */
export function hash32(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part | 0), 0x01000193);
    hash ^= hash >>> 15;
  }
  return hash >>> 0;
}

/** A uniform number in [0, 1) fixed by its inputs: mulberry32's first draw, without allocating a generator. */
export function uniformAt(...parts: number[]): number {
  const state = (hash32(...parts) + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
