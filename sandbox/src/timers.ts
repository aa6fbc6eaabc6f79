/**
 * Every timer the sandbox starts goes through here, so `stop()` can clear them all and leave
 * nothing running. Timers are unref'd: a forgotten sandbox never keeps a process alive.
 */
class Timers {
  readonly #pending = new Set<NodeJS.Timeout>();

  /** Runs `fn` after `ms` real-time milliseconds unless cleared first. */
  public after(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.#pending.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.#pending.add(timer);
    return timer;
  }

  /** Resolves after `ms`; never resolves if the timers are cleared first (the server is gone). */
  public sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.after(ms, resolve);
    });
  }

  public cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#pending.delete(timer);
  }

  public clearAll(): void {
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}

export { Timers };
