/** The background renewal of the lease and of the group locks. */

/** Renews every `everyMs` (none when 0), in the background: a failed renewal is reported and tried again next time. */
function renewEvery(
  everyMs: number,
  renew: () => Promise<void>,
  failed: (err: unknown) => void,
): NodeJS.Timeout | undefined {
  if (everyMs <= 0) return undefined;
  const timer = setInterval(() => void renew().catch(failed), everyMs);
  timer.unref();
  return timer;
}

export { renewEvery };
