import {
  ALLOWED_RETENTION_DAYS,
  EXPORT_LAG_MS,
  METADATA_LAG_MS,
  MS_PER_DAY,
  MS_PER_MINUTE,
  PUT_MAX_AGE_MS,
  REPUT_SAFETY_MARGIN_MS,
} from '../constants.js';
import type { ArchivedWindow, Config, GroupInfo, StreamInfo, TimeWindow } from '../types.js';
import {
  StreamAction,
  StreamReason,
  type CatchUpRange,
  type StreamActionKind,
  type StreamEstimate,
  type StreamPlan,
  type StreamReasonCode,
} from './planTypes.js';
import { coveringExportCreatedAtMs } from './exportWindow.js';
import { lateRanges, retentionCatchUpWindows } from './lateEvents.js';
import { isLockStream } from './lockState.js';
import { ZERO_ESTIMATE, days, estimateAction, fractionBefore } from './estimateStream.js';

type StreamSettings = Pick<
  Config,
  'days' | 'strategy' | 'quietMinutes' | 'forceRebuild' | 'allowFilteredGroups' | 'unmask' | 'prices'
>;

/** What a stream's decision depends on besides the stream itself. Plain data: no clock, no I/O. */
interface StreamContext {
  readonly nowMs: number;
  readonly cutoffMs: number;
  readonly settings: StreamSettings;
  readonly group: GroupInfo;
  /** Windows archived and verified before this run. */
  readonly windows: readonly ArchivedWindow[];
  /** Archived-through before this run (undefined before the first export). */
  readonly archivedThroughBeforeMs?: number;
  /** This run's exports (resumed and new) with the earliest time their task can have been created. */
  readonly plannedExports: readonly { readonly window: TimeWindow; readonly createdAtMs: number }[];
  /** Archived-through once this run's exports are verified. */
  readonly archivedThroughAfterMs?: number;
  /**
   * The stream's estimated share of the group's stored bytes, or any figure proportional to it (its
   * weight): every estimate is linear in it and no decision depends on its unit.
   */
  readonly storedBytes: number;
}

const decide = (
  stream: StreamInfo,
  action: StreamActionKind,
  reason: StreamReasonCode,
  detail: string,
  estimate: StreamEstimate = ZERO_ESTIMATE,
  requiresArchivedThroughMs?: number,
  catchUp: readonly CatchUpRange[] = [],
): StreamPlan => ({
  logStreamName: stream.logStreamName,
  action,
  reason,
  detail:
    catchUp.length === 0 ? detail : `${detail}; late events in ${catchUp.length} archived window(s) are archived first`,
  snapshot: stream,
  estimate,
  ...(requiresArchivedThroughMs === undefined ? {} : { requiresArchivedThroughMs }),
  ...(catchUp.length === 0 ? {} : { catchUp }),
});

/**
 * Decides one stream's action from its metadata alone (no event reads):
 * - expired (last event < cutoff): delete, once archived, idle and not written after its export;
 * - current (first event ≥ cutoff): keep;
 * - straddling: rebuild only when every guard passes (put window, filters, data protection,
 *   archived, idle, no late ingestion, worth the re-ingestion), otherwise skip with the reason.
 *
 * @example planStream(stream, { nowMs, cutoffMs, settings, group, windows, plannedExports, storedBytes })
 */
function planStream(stream: StreamInfo, ctx: StreamContext): StreamPlan {
  const { cutoffMs, settings } = ctx;
  if (isLockStream(stream.logStreamName)) {
    return decide(
      stream,
      StreamAction.Keep,
      StreamReason.LockStream,
      'the in-group lock stream of an earlier cwl-trim version; never trimmed',
    );
  }
  const first = stream.firstEventTimestampMs;
  const last = stream.lastEventTimestampMs;
  if (first === undefined && last === undefined) return planEmpty(stream, ctx);
  // One event time without the other: the stream has events, CloudWatch's metadata (eventually
  // consistent) has not caught up with them, and their span is unknown. Never taken for empty.
  if (first === undefined || last === undefined)
    return decide(
      stream,
      StreamAction.Skip,
      StreamReason.MetadataPending,
      'CloudWatch reports only one of its first and last event times; left for a later run',
    );
  if (settings.strategy === 'retention' && first < cutoffMs) {
    // Late writes into archived windows are caught up before the retention can expire them.
    const catchUp = retentionLate(stream, first, last, ctx);
    return decide(
      stream,
      StreamAction.Keep,
      StreamReason.RetentionStrategy,
      'the group retention expires these events once archived',
      ZERO_ESTIMATE,
      undefined,
      catchUp,
    );
  }
  if (first >= cutoffMs) {
    // Late writes into archived windows nearing expiry are caught up with the retention strategy.
    const catchUp = settings.strategy === 'retention' ? retentionLate(stream, first, last, ctx) : [];
    return decide(
      stream,
      StreamAction.Keep,
      StreamReason.Current,
      'every event is newer than the cutoff',
      ZERO_ESTIMATE,
      undefined,
      catchUp,
    );
  }
  return last < cutoffMs ? planExpired(stream, first, last, ctx) : planStraddling(stream, first, ctx);
}

function planEmpty(stream: StreamInfo, ctx: StreamContext): StreamPlan {
  const idle = idleFor(stream, ctx);
  // Both strategies: retention expires events, never the streams it empties, so they would stay forever.
  if (stream.creationTimeMs < ctx.cutoffMs && idle === undefined) {
    return decide(stream, StreamAction.Delete, StreamReason.EmptyOld, 'no events, created before the cutoff');
  }
  return decide(stream, StreamAction.Keep, StreamReason.EmptyRecent, 'no events yet');
}

function planExpired(stream: StreamInfo, first: number, last: number, ctx: StreamContext): StreamPlan {
  const estimate = estimateAction({ ...estimateBase(ctx), removeFraction: 1, reput: false });
  const span = { fromMs: first, toMs: last };
  // Earlier exports that may have missed late writes are caught up before the delete (never a reason
  // to skip for good); only this run's own exports, whose tasks begin now, make it wait a run.
  const blocked =
    notArchived(stream, last, ctx) ??
    idleFor(stream, ctx) ??
    ingestedAfterExport(stream, span, { ...ctx, windows: [] });
  if (blocked) return decide(stream, StreamAction.Skip, blocked.reason, blocked.detail, estimate);
  const catchUp = lateRanges(stream, span, ctx.windows);
  return decide(stream, StreamAction.Delete, StreamReason.Expired, 'every event is archived', estimate, last, catchUp);
}

function planStraddling(stream: StreamInfo, first: number, ctx: StreamContext): StreamPlan {
  const { cutoffMs, settings, group } = ctx;
  const estimate = estimateAction({
    ...estimateBase(ctx),
    removeFraction: fractionBefore(stream, cutoffMs),
    reput: true,
  });
  const skip = (reason: StreamReasonCode, detail: string): StreamPlan =>
    decide(stream, StreamAction.Skip, reason, detail, estimate);

  const putWindow = outsidePutWindow(ctx);
  if (putWindow) return skip(StreamReason.OutsidePutWindow, putWindow);
  if (!settings.allowFilteredGroups && group.subscriptionFilterCount + group.metricFilterCount > 0) {
    return skip(
      StreamReason.GroupHasFilters,
      're-put events would reach the subscription/metric filters again; set ALLOW_FILTERED_GROUPS=true to accept',
    );
  }
  if (group.hasDataProtectionPolicy && !settings.unmask) {
    return skip(
      StreamReason.DataProtected,
      'events read back masked would replace the originals; set UNMASK=true (needs logs:Unmask)',
    );
  }
  // Only this run's window matters here: earlier windows were checked when they were trimmed.
  const thisRun = { fromMs: Math.max(first, (ctx.archivedThroughBeforeMs ?? -1) + 1), toMs: cutoffMs - 1 };
  const blocked =
    notArchived(stream, cutoffMs - 1, ctx) ?? idleFor(stream, ctx) ?? ingestedAfterExport(stream, thisRun, ctx);
  if (blocked) return skip(blocked.reason, blocked.detail);
  if (!settings.forceRebuild && estimate.savingOverStayUsd < estimate.reputCostUsd) {
    return skip(
      StreamReason.NotWorthIt,
      `re-putting the events to keep costs more than the storage it saves within ${settings.prices.paybackHorizonMonths} ` +
        'months (see the estimate); FORCE_REBUILD=true overrides',
    );
  }
  const { savingOverStayUsd: _unused, ...plain } = estimate;
  // Events before this run's window were archived by earlier exports: late writes into them are caught up first.
  const earlier = { fromMs: first, toMs: Math.min(cutoffMs - 1, ctx.archivedThroughBeforeMs ?? -1) };
  const catchUp = lateRanges(stream, earlier, ctx.windows);
  return decide(
    stream,
    StreamAction.Rebuild,
    StreamReason.Straddling,
    'events before the cutoff are archived',
    plain,
    cutoffMs - 1,
    catchUp,
  );
}

function retentionLate(stream: StreamInfo, first: number, last: number, ctx: StreamContext): CatchUpRange[] {
  const retentionMs = effectiveRetentionDays(ctx) * MS_PER_DAY;
  return lateRanges(
    stream,
    { fromMs: first, toMs: last },
    retentionCatchUpWindows(ctx.windows, ctx.nowMs, retentionMs),
  );
}

/** The retention events will expire at: the group's, or the one this run sets (the smallest allowed ≥ DAYS). */
function effectiveRetentionDays(ctx: StreamContext): number {
  const target = ALLOWED_RETENTION_DAYS.find((d) => d >= ctx.settings.days) ?? Number.POSITIVE_INFINITY;
  return Math.min(ctx.group.retentionInDays ?? Number.POSITIVE_INFINITY, target);
}

type Blocked = { readonly reason: StreamReasonCode; readonly detail: string } | undefined;

function estimateBase(ctx: StreamContext) {
  return {
    storedBytes: ctx.storedBytes,
    prices: ctx.settings.prices,
    days: ctx.settings.days,
    ...(ctx.group.retentionInDays === undefined ? {} : { retentionInDays: ctx.group.retentionInDays }),
    ...(ctx.group.extras ? { storageTier: ctx.group.extras.storageTier } : {}),
  };
}

function notArchived(_stream: StreamInfo, requiredMs: number, ctx: StreamContext): Blocked {
  if (ctx.archivedThroughAfterMs !== undefined && ctx.archivedThroughAfterMs >= requiredMs) return undefined;
  return { reason: StreamReason.NotArchived, detail: 'its events before the cutoff are not archived yet' };
}

/** Producers still writing would lose events in the gap, and some stop logging when the stream vanishes. */
function idleFor(stream: StreamInfo, ctx: StreamContext): Blocked {
  const lastIngestion = stream.lastIngestionTimeMs ?? stream.creationTimeMs;
  const quietMs = ctx.settings.quietMinutes * MS_PER_MINUTE;
  if (ctx.nowMs - lastIngestion >= quietMs) return undefined;
  return {
    reason: StreamReason.Active,
    detail: `written ${Math.round((ctx.nowMs - lastIngestion) / MS_PER_MINUTE)} min ago; waits for ${ctx.settings.quietMinutes} quiet minutes`,
  };
}

/** An event ingested less than 12 h before the export that covers it may be missing from the archive. */
function ingestedAfterExport(stream: StreamInfo, range: TimeWindow, ctx: StreamContext): Blocked {
  if (range.fromMs > range.toMs) return undefined;
  const lastIngestion = stream.lastIngestionTimeMs ?? stream.creationTimeMs;
  const cover = coveringExportCreatedAtMs(ctx.windows, range, ctx.plannedExports);
  if (cover === undefined || lastIngestion + METADATA_LAG_MS < cover - EXPORT_LAG_MS) return undefined;
  return {
    reason: StreamReason.IngestedAfterExport,
    detail: 'written within 12 h of the export that covers it, so the export may miss events; kept',
  };
}

function outsidePutWindow(ctx: StreamContext): string | undefined {
  const { settings, group, nowMs, cutoffMs } = ctx;
  const retentionMs =
    group.retentionInDays === undefined ? Number.POSITIVE_INFINITY : group.retentionInDays * MS_PER_DAY;
  const limitMs = Math.min(PUT_MAX_AGE_MS, retentionMs);
  const oldestKeptAgeMs = nowMs - cutoffMs;
  if (oldestKeptAgeMs + REPUT_SAFETY_MARGIN_MS < limitMs) return undefined;
  if (settings.days >= 14) {
    return `DAYS=${settings.days}: PutLogEvents refuses events older than 14 days, so a rebuild would lose events; use STRATEGY=retention`;
  }
  return (
    `events to keep reach ${days(oldestKeptAgeMs)} old; put back they must be younger than ${days(limitMs)} ` +
    `(14 days or the group retention) with a ${days(REPUT_SAFETY_MARGIN_MS)} margin; use STRATEGY=retention or a smaller DAYS`
  );
}

export { planStream };
export type { StreamContext, StreamSettings };
