/**
 * A small seeded PRNG (mulberry32) returning floats in [0, 1): the seed, demo, benchmarks and
 * tests use it so every run sees the same data. Not for anything secret, and never for money.
 */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
