/**
 * A small seeded PRNG (mulberry32): the same fake account every time, without a dependency. The
 * benchmarks and tests seed with it; its quality is plenty for fake log lines.
 *
 * @example const next = seededRandom(42); next(); // 0 ≤ n < 1, the same sequence every run
 */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { seededRandom };
