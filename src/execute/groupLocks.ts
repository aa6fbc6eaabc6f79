/**
 * A group's lock as the pipeline takes it: lazily, at the group's first mutating call, so that a group
 * the run leaves as it is takes none; and the reason a group is left alone when another run holds it.
 */
import { acquireGroupLock, type GroupLock } from '../archive/groupLock.js';
import type { Deps } from '../deps.js';
import { describeError } from '../errors.js';

type LockOutcome =
  | { readonly lock: GroupLock }
  | { readonly skip: { readonly lockedBy: string } | { readonly error: string } };

/** The group's lock, or why the group is left alone (another run holds it, or the lock could not be read). */
async function lockGroup(deps: Deps, logGroupName: string): Promise<LockOutcome> {
  try {
    const taken = await acquireGroupLock(deps, logGroupName);
    return taken.acquired ? { lock: taken.lock } : { skip: { lockedBy: taken.detail } };
  } catch (err) {
    deps.logger.error({ err, logGroupName }, 'could not take the group lock');
    return { skip: { error: `could not take the group lock: ${describeError(err)}` } };
  }
}

/**
 * A group's lock, taken at its first mutating call only (an export, a delete, a catch-up, a retention):
 * a group the run leaves as it is takes none (its lock's events would reach its subscribers too).
 * Every mutating call of the group goes through the lock's deps, which stop once the lock is lost.
 */
interface LazyLock {
  take(): Promise<LockOutcome>;
  release(): Promise<void>;
}

function lazyLock(deps: Deps, logGroupName: string): LazyLock {
  let taken: Promise<LockOutcome> | undefined;
  return {
    take: () => (taken ??= lockGroup(deps, logGroupName)),
    release: async () => {
      const outcome = await taken;
      if (outcome && 'lock' in outcome) await outcome.lock.release();
    },
  };
}

export { lazyLock, lockGroup };
export type { LazyLock, LockOutcome };
