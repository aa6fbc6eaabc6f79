/**
 * The re-check before a stream's delete or rebuild, as a pure decision on the group's state as it is
 * now: the group must be archived and verified far enough, and each event the stream may lose must
 * lie in an archived window. What is left to the shell is one look-up per window: does that export
 * hold an object for the stream (src/execute/trimGroup.ts asks the archive index).
 */
import type { ArchivedWindow, GroupState } from '../types.js';
import { StreamAction, type StreamPlan } from './planTypes.js';

/** Go ahead once each window listed holds an object for the stream; or leave the stream, and why. */
type Recheck = { readonly blocked: string } | { readonly lookups: readonly ArchivedWindow[] };

/**
 * @example
 * const r = recheck(state, streamPlan);
 * if ('blocked' in r) skip(r.blocked); else for (const w of r.lookups) await index.holds(w, name);
 */
function recheck(state: GroupState, s: StreamPlan): Recheck {
  // Only a stream with no events at all has no requirement.
  const required = s.requiresArchivedThroughMs;
  if (required !== undefined && required > (state.archivedThroughMs ?? -Infinity))
    return { blocked: 'its window is not archived yet' };
  // Its first event, and for a delete its last: the windows between hold the rest of the stream.
  const points = [s.snapshot.firstEventTimestampMs];
  if (s.action === StreamAction.Delete) points.push(s.snapshot.lastEventTimestampMs);
  const lookups: ArchivedWindow[] = [];
  for (const t of points) {
    if (t === undefined) continue;
    // A late event there is archived by the catch-up that runs before the stream is touched.
    if (s.catchUp?.some((r) => r.fromMs <= t && t <= r.toMs)) continue;
    const window = state.windows.find((w) => w.fromMs <= t && t <= w.toMs);
    if (!window) return { blocked: `no archived window holds its event at ${new Date(t).toISOString()}` };
    if (!lookups.includes(window)) lookups.push(window);
  }
  return { lookups };
}

export { recheck };
export type { Recheck };
