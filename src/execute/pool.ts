/**
 * Runs `work` over `items` with at most `concurrency` at once, in order of start. Rates are kept by
 * the per-API limiters inside `work`; this only bounds how many calls wait at the same time.
 *
 * @example await forEachLimited(streams, 8, (s) => deleteStream(deps, group, s.logStreamName));
 */
async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export { forEachLimited };
