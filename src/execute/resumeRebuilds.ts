/**
 * The rebuilds earlier runs left unfinished, finished first (under their group's lock), or their
 * journals discarded when the stream was never touched and the group is no longer selected.
 */
import { describeStream } from '../aws/logStreams.js';
import type { Deps } from '../deps.js';
import { describeError } from '../errors.js';
import type { PendingRebuild } from '../plan/planTypes.js';
import type { StreamResult } from '../plan/results.js';
import { Journal } from '../trim/journal.js';
import { decidePendingRebuild } from '../trim/pendingRebuilds.js';
import { finishRebuild } from '../trim/finishRebuild.js';
import type { Config } from '../types.js';
import { lockGroup } from './groupLocks.js';

type ResumeConfig = Pick<Config, 'bucket' | 'bucketPrefix' | 'unmask'>;

/**
 * Finishes the rebuilds earlier runs left (the plan lists them) and discards half-written saves;
 * `selected` (is the group in this run's selection?) decides what happens to those outside it.
 */
async function resumeRebuilds(
  deps: Deps,
  config: ResumeConfig,
  pending: readonly PendingRebuild[],
  selected: (logGroupName: string) => boolean,
): Promise<StreamResult[]> {
  const results: StreamResult[] = [];
  for (const p of pending) {
    const journal = new Journal(deps, { bucket: config.bucket, prefix: p.journalPrefix });
    const decision = decidePendingRebuild(p, selected(p.logGroupName));
    if (decision.action === 'remove') {
      await journal.remove();
      continue;
    }
    const base = { logGroupName: p.logGroupName, logStreamName: p.logStreamName, action: 'rebuild' as const };
    // A group outside the selection whose stream was never touched: only the journal goes, no lock needed.
    if (decision.action === 'leave' && (await untouched(deps, journal))) {
      await journal.remove();
      results.push({
        ...base,
        outcome: 'skipped',
        detail: `${decision.reason}; the stream was not touched and its journal is discarded`,
      });
      continue;
    }
    // The group's lock first: another run (another deployment) may be finishing this very rebuild.
    const locked = await lockGroup(deps, p.logGroupName);
    if ('skip' in locked) {
      const skip = locked.skip;
      results.push({
        ...base,
        outcome: 'lockedBy' in skip ? 'skipped' : 'failed',
        detail: 'lockedBy' in skip ? skip.lockedBy : skip.error,
      });
      continue;
    }
    try {
      const manifest = await journal.manifest();
      if (!manifest) continue;
      deps.progress?.(
        `finishing the rebuild of ${manifest.logGroupName} ${manifest.logStreamName} left by an earlier run`,
      );
      const outcome = await finishRebuild(
        locked.lock.deps,
        config,
        journal,
        manifest,
        true,
        decision.action === 'leave' ? { leaveUntouched: decision } : {},
      );
      if (outcome.status === 'rebuilt') {
        const { status: _s, ...measured } = outcome;
        results.push({
          ...base,
          outcome: 'done',
          ...(decision.action === 'finish' && decision.reason ? { detail: decision.reason } : {}),
          ...measured,
        });
      } else {
        results.push({ ...base, outcome: outcome.status, detail: outcome.detail });
      }
    } catch (err) {
      results.push({ ...base, outcome: 'failed', detail: describeError(err) });
    } finally {
      await locked.lock.release();
    }
  }
  return results;
}

/** The journaled stream is still the one that was saved (same creation time): nothing was done to it yet. */
async function untouched(deps: Deps, journal: Journal): Promise<boolean> {
  // A journal that cannot be read is the finishing path's to report, under the lock.
  const manifest = await journal.manifest().catch(() => undefined);
  if (!manifest) return false;
  const current = await describeStream(deps, manifest.logGroupName, manifest.logStreamName);
  return current !== undefined && current.creationTimeMs === manifest.snapshot.creationTimeMs;
}

export { resumeRebuilds };
