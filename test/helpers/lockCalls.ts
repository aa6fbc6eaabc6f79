/**
 * The group lock (src/archive/groupLock.ts) adds a few calls in the lock group to every run: tests
 * that count a run's work on the data leave those out.
 */
import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';
import type { CallRecord, Sandbox } from '@cwl-trim/sandbox';

const onLockStream = (c: CallRecord): boolean =>
  (c.input as { logGroupName?: unknown } | undefined)?.logGroupName === LOCK_GROUP_NAME;

/** The sandbox's calls, without those on a lock stream. */
const workCalls = (sandbox: Sandbox): CallRecord[] => sandbox.calls.filter((c) => !onLockStream(c));

/** How many calls of `operation` the run made on the data (the lock's own calls left out). */
const countWork = (sandbox: Sandbox, operation: string): number =>
  workCalls(sandbox).filter((c) => c.operation === operation).length;

/** The lock's own calls. */
const lockCalls = (sandbox: Sandbox): CallRecord[] => sandbox.calls.filter(onLockStream);

export { countWork, lockCalls, onLockStream, workCalls };
