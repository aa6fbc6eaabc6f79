import { groupNameOfKey, journalListPrefix, streamNameOfKey } from '../archive/keys.js';
import { listObjects, type S3Deps } from '../archive/s3Objects.js';
import { StateCorruptError, StateUnreadableError } from '../errors.js';
import type { Config, GroupSelection } from '../types.js';
import type { PendingRebuild } from '../plan/planTypes.js';
import { BATCH_KEY, Journal } from './journal.js';

/** A journal whose save never finished: the stream was never touched, the journal is discarded. */
const INCOMPLETE_SAVE = 'incomplete-save';
/** A journal whose removal an earlier run started: the removal is finished, nothing else. */
const REMOVING = 'removing';
/** A journal whose manifest or progress cannot be read or validated: reported, never acted on. */
const DAMAGED = 'damaged';

/** Why a pending rebuild outside the run's selection is still finished. */
const FINISHED_ANYWAY =
  'its group is not selected by this run, but its stream had already been deleted: finished so that its events are not lost';
/** Why one is left alone. */
const NOT_SELECTED = 'its group is not selected by this run';

/** What a run does with a journal an earlier run left. */
type PendingDecision =
  /** A half-written save or a half-removed journal: only its removal is finished. */
  | { readonly action: 'remove' }
  /** Finish the rebuild; `reason` says why when the group is outside the run's selection. */
  | { readonly action: 'finish'; readonly reason?: string }
  /**
   * Outside the selection, and maybe never touched: a stream not deleted yet is left alone (its
   * journal discarded, `reason` reported); one already deleted is finished (`ifDeleted` reported).
   */
  | { readonly action: 'leave'; readonly reason: string; readonly ifDeleted: string };

/**
 * Decides what a run does with one pending rebuild, from its phase and whether the run selects its
 * group. Pure: the stream itself is looked at later (a `leave` is finished only if the stream turns
 * out to be deleted already).
 *
 * @example decidePendingRebuild({ ...pending, phase: 'saved' }, false); // { action: 'leave', … }
 */
function decidePendingRebuild(pending: Pick<PendingRebuild, 'phase'>, groupSelected: boolean): PendingDecision {
  if (pending.phase === INCOMPLETE_SAVE || pending.phase === REMOVING) return { action: 'remove' };
  if (groupSelected) return { action: 'finish' };
  // Putting: the stream is deleted already; damaged: it must be reported whatever the selection.
  if (pending.phase === 'putting' || pending.phase === DAMAGED) return { action: 'finish', reason: FINISHED_ANYWAY };
  return { action: 'leave', reason: NOT_SELECTED, ifDeleted: FINISHED_ANYWAY };
}

/**
 * Whether a selection takes a group by its name: an exact name or a prefix (`/`, or no name and no
 * prefix, takes every group), and no excluded prefix. A tag selection cannot be decided by name:
 * without the group's `tags` it answers false, which only ever leaves a not-yet-deleted stream alone
 * (its journal is discarded and the stream planned afresh when its group is reached).
 *
 * @example selectsGroup({ names: [], prefixes: ['/app/'], excludePrefixes: ['/app/tmp'] }, '/app/orders'); // true
 */
function selectsGroup(
  selection: GroupSelection,
  logGroupName: string,
  tags?: Readonly<Record<string, string>>,
): boolean {
  if (selection.excludePrefixes.some((p) => logGroupName.startsWith(p))) return false;
  const everything =
    selection.prefixes.includes('/') || (selection.names.length === 0 && selection.prefixes.length === 0);
  const named =
    everything || selection.names.includes(logGroupName) || selection.prefixes.some((p) => logGroupName.startsWith(p));
  if (!named) return false;
  if (selection.tag === undefined) return true;
  return tags !== undefined && tags[selection.tag.key] === selection.tag.value;
}

/**
 * The journals earlier runs left behind, read-only: saved ones (with their phase and progress) are
 * finished by the next real run before anything else; half-written and half-removed ones are
 * discarded; damaged ones are listed as `damaged` (the run reports them and goes on with the rest).
 *
 * @example const pending = await readPendingRebuilds(deps, config);
 */
async function readPendingRebuilds(
  deps: S3Deps,
  config: Pick<Config, 'bucket' | 'bucketPrefix'>,
): Promise<PendingRebuild[]> {
  const keys = (await listObjects(deps, config.bucket, journalListPrefix(config.bucketPrefix))).map((o) => o.Key ?? '');
  const dirOf = (k: string): string => k.slice(0, k.lastIndexOf('/'));
  const dirs = [...new Set(keys.map(dirOf))].sort();
  const withManifest = new Set(keys.filter((k) => k.endsWith('/manifest.json')).map(dirOf));
  const withProgress = new Set(keys.filter((k) => k.endsWith('/progress.json')).map(dirOf));
  const withBatches = new Set(keys.filter((k) => BATCH_KEY.test(k)).map(dirOf));
  const pending: PendingRebuild[] = [];
  for (const prefix of dirs) {
    const [group = '', stream = ''] = prefix.slice(journalListPrefix(config.bucketPrefix).length).split('/');
    const bare = {
      logGroupName: groupNameOfKey(group),
      logStreamName: streamNameOfKey(stream),
      journalPrefix: prefix,
      events: 0,
      batches: 0,
      nextBatch: 0,
    };
    const journal = new Journal(deps, { bucket: config.bucket, prefix });
    // A manifest alone, without batches or progress: a removal that died halfway (older versions
    // deleted the progress before the manifest). Without progress the stream was never deleted
    // (`deleting` is recorded before DeleteLogStream), so finishing the removal loses nothing.
    if (withManifest.has(prefix) && !withBatches.has(prefix) && !withProgress.has(prefix)) {
      pending.push({ ...bare, phase: REMOVING });
      continue;
    }
    try {
      const manifest = withManifest.has(prefix) ? await journal.manifest() : undefined;
      if (!manifest) {
        pending.push({ ...bare, phase: INCOMPLETE_SAVE });
        continue;
      }
      const progress = await journal.progress();
      pending.push({
        logGroupName: manifest.logGroupName,
        logStreamName: manifest.logStreamName,
        journalPrefix: prefix,
        events: manifest.events,
        batches: manifest.batches,
        phase: progress.phase,
        nextBatch: progress.nextBatch,
      });
    } catch (err) {
      if (!(err instanceof StateCorruptError) && !(err instanceof StateUnreadableError)) throw err;
      pending.push({ ...bare, phase: DAMAGED });
    }
  }
  return pending;
}

export { DAMAGED, INCOMPLETE_SAVE, REMOVING, decidePendingRebuild, readPendingRebuilds, selectsGroup };
export type { PendingDecision };
