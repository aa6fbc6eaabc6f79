/**
 * The JSON report's documented shape (schemaVersion 1), as a zod schema: `toJsonReport` output is
 * checked against it in tests, and consumers may use it to read reports back. Every key is always
 * present: "not applicable" is `null`, never a missing key, so `jq '.groups[].result'` needs no
 * guards. Adding a key is a minor change; renaming or removing one bumps `schemaVersion`.
 */
import { z } from 'zod';
import { ACTION_OUTCOMES } from '../plan/results.js';
import { GroupSkipReason, StreamAction, StreamReason } from '../plan/planTypes.js';

const values = <T extends Record<string, string>>(o: T) => Object.values(o) as [T[keyof T], ...T[keyof T][]];

/** A point in time, twice: epoch milliseconds for programs, ISO 8601 UTC for people. */
const TimeSchema = z.strictObject({ ms: z.number().int(), iso: z.iso.datetime() });
/** Event timestamps, both ends inclusive (as CreateExportTask takes them). */
const WindowSchema = z.strictObject({ from: TimeSchema, to: TimeSchema });

const count = z.number().int().nonnegative();
const bytes = z.number().int().nonnegative();
const usd = z.number().nonnegative();
/** A net figure: negative when the archive costs more than the CloudWatch storage it replaces. */
const netUsd = z.number();

/** Estimated from metadata: CloudWatch reports stored bytes per group only. */
const EstimateSchema = z.strictObject({
  storedBytes: bytes,
  removeStoredBytes: bytes,
  reputBytes: bytes,
  reputCostUsd: usd,
  /** cloudWatchMonthlyUsd − archiveMonthlyUsd. */
  monthlySavingUsd: netUsd,
  /** CloudWatch storage no longer billed, a month (tier-priced with Intelligent-Tiering). */
  cloudWatchMonthlyUsd: usd,
  /** The archive's S3 storage billed instead, a month. */
  archiveMonthlyUsd: usd,
  /** How long the removed data would still have stayed: retention, at most the payback horizon. */
  stayMonths: z.number().nonnegative(),
  /** The net saving over stayMonths: what a rebuild's re-put cost is weighed against. */
  lifetimeSavingUsd: netUsd,
  /** 0: nothing is re-put; null: the saving never pays the re-put back. */
  paybackMonths: z.number().nonnegative().nullable(),
});

/** An action's outcome in the report: the run's own, or not attempted (its group was not reached or failed). */
const STREAM_OUTCOMES = [...ACTION_OUTCOMES, 'not-attempted'] as const;
const StreamOutcomeSchema = z.enum(STREAM_OUTCOMES);

/** What a real run did to one stream; the counts are measured. */
const StreamResultSchema = z.strictObject({
  outcome: StreamOutcomeSchema,
  detail: z.string().nullable(),
  events: count.nullable(),
  bytes: bytes.nullable(),
  batches: count.nullable(),
  rejected: count.nullable(),
  /** Late events archived by the run itself before the stream lost them. */
  caughtUp: count.optional(),
});

const StreamEntrySchema = z.strictObject({
  logStreamName: z.string(),
  action: z.enum(values(StreamAction)),
  reason: z.enum(values(StreamReason)),
  detail: z.string(),
  firstEvent: TimeSchema.nullable(),
  lastEvent: TimeSchema.nullable(),
  lastIngestion: TimeSchema.nullable(),
  estimate: EstimateSchema,
  /** null on a plan; on a run, null for a stream that had nothing to do (skip). */
  result: StreamResultSchema.nullable(),
});

/** Streams sharing an action and a reason, counted (every stream of the group, keep included). */
const ReasonCountSchema = z.strictObject({
  action: z.enum(values(StreamAction)),
  reason: z.enum(values(StreamReason)),
  count: count,
  /** The detail of the first such stream. */
  example: z.string(),
  /** True when the streams' details differ (they then differ in their numbers: minutes idle, dollars). */
  detailsVary: z.boolean(),
});

const EstimatedTotalsSchema = z.strictObject({
  removeStoredBytes: bytes,
  reputBytes: bytes,
  reputCostUsd: usd,
  monthlySavingUsd: netUsd,
  cloudWatchMonthlyUsd: usd,
  archiveMonthlyUsd: usd,
  /** Σ of the streams' lifetime savings: each over its own remaining life. */
  lifetimeSavingUsd: netUsd,
  paybackMonths: z.number().nonnegative().nullable(),
});

const ExportResultSchema = z.strictObject({
  window: WindowSchema,
  status: z.enum(['archived', 'failed', 'deadline']),
  taskId: z.string().nullable(),
  /** Measured: the objects and bytes (compressed) the export wrote to S3. */
  objects: count.nullable(),
  bytes: bytes.nullable(),
  message: z.string().nullable(),
});

const GroupResultSchema = z.strictObject({
  exports: z.array(ExportResultSchema),
  archivedThrough: TimeSchema.nullable(),
  retention: z
    .strictObject({ days: count, outcome: z.enum(['set', 'unchanged', 'skipped', 'failed']), detail: z.string() })
    .nullable(),
  error: z.string().nullable(),
  notReached: z.boolean(),
  /** Another run held the group's lock: the group was left alone. */
  lockedBy: z.string().nullable().optional(),
  /** Planned deletes and rebuilds by outcome (every one, listed or not). */
  outcomes: z.record(StreamOutcomeSchema, count),
  /** Measured: streams deleted and rebuilt, and what the rebuilds put back or had refused. */
  deleted: count,
  rebuilt: count,
  reputEvents: count,
  reputBytes: bytes,
  rejectedEvents: count,
  /** DELETE_EMPTY_GROUPS: what became of the group the plan found empty (null: none planned). */
  groupDeletion: z.strictObject({ outcome: z.enum(['deleted', 'skipped', 'failed']), detail: z.string() }).nullable(),
  /** Late events archived by the run itself before their streams lost them. */
  caughtUpEvents: count.optional(),
});

const GroupSchema = z.strictObject({
  logGroupName: z.string(),
  arn: z.string(),
  storedBytes: bytes,
  retentionInDays: count.nullable(),
  skipped: z.strictObject({ reason: z.enum(values(GroupSkipReason)), detail: z.string() }).nullable(),
  archivedThroughBefore: TimeSchema.nullable(),
  resumeExport: WindowSchema.nullable(),
  exportWindow: WindowSchema.nullable(),
  retention: z
    .strictObject({
      currentDays: count.nullable(),
      targetDays: count,
      safe: z.boolean(),
      detail: z.string(),
    })
    .nullable(),
  retentionAdvice: z.string().nullable(),
  /** DELETE_EMPTY_GROUPS: the group is deleted after this run's work (null: it is kept). */
  deleteGroup: z.strictObject({ detail: z.string() }).nullable(),
  warnings: z.array(z.string()),
  totals: z.strictObject({
    streams: count,
    delete: count,
    rebuild: count,
    keep: count,
    skip: count,
    estimated: EstimatedTotalsSchema,
  }),
  reasons: z.array(ReasonCountSchema),
  /** Every stream whose action is not keep, up to the report's limit per group (see streamsOmitted). */
  streams: z.array(StreamEntrySchema),
  streamsOmitted: z.strictObject({ delete: count, rebuild: count, skip: count }),
  result: GroupResultSchema.nullable(),
});

const PendingRebuildSchema = z.strictObject({
  logGroupName: z.string(),
  logStreamName: z.string(),
  journalPrefix: z.string(),
  events: count,
  batches: count,
  phase: z.string(),
  nextBatch: count,
});

const ResumedRebuildSchema = StreamResultSchema.extend({ logGroupName: z.string(), logStreamName: z.string() });

const LeftItemSchema = z.strictObject({
  logGroupName: z.string(),
  logStreamName: z.string().nullable(),
  what: z.enum(['group', 'export', 'delete', 'rebuild', 'retention']),
  why: z.string(),
});

const OperationStatsSchema = z.strictObject({
  calls: count,
  successes: count,
  retries: count,
  throttles: count,
  failures: count,
});

/** The prices and ratios every estimate used, and where each came from. */
const PricingSchema = z.strictObject({
  ingestionPerGb: usd,
  storagePerGbMonth: usd,
  archivePerGbMonth: usd,
  /** Where the archive lives: exports land in S3 Standard (a lifecycle rule of yours may move them later). */
  archiveStorageClass: z.literal('STANDARD'),
  /** STANDARD, INTELLIGENT_TIERING (tier prices used), or null when no group's tier was read. */
  storageTier: z.enum(['STANDARD', 'INTELLIGENT_TIERING']).nullable(),
  tier30To90PerGbMonth: usd,
  tierOver90PerGbMonth: usd,
  compressionRatio: z.number().positive(),
  compressionRatioSource: z.enum(['default', 'setting']),
  paybackHorizonMonths: z.number().positive(),
});

/** The JSON report of a plan (dry run) or a run. */
const JsonReportSchema = z.strictObject({
  schemaVersion: z.literal(1),
  runId: z.string(),
  /** plan: a dry run, nothing changed · run: a real run. */
  mode: z.enum(['plan', 'run']),
  /** planned (a dry run), else the run's outcome: done, partial (work left for the next run) or failed. */
  outcome: z.enum(['planned', 'done', 'partial', 'failed']),
  plannedAt: TimeSchema,
  cutoff: TimeSchema,
  days: count,
  strategy: z.enum(['rebuild', 'retention']),
  archive: z.strictObject({ bucket: z.string(), prefix: z.string(), uri: z.string() }),
  /** null when the report was built without the prices (older callers). */
  pricing: PricingSchema.nullable(),
  run: z
    .strictObject({
      startedAt: TimeSchema,
      finishedAt: TimeSchema,
      durationMs: count,
      deadlineReached: z.boolean(),
    })
    .nullable(),
  totals: z.strictObject({
    groups: count,
    groupsSkipped: count,
    exports: count,
    streams: count,
    delete: count,
    rebuild: count,
    keep: count,
    skip: count,
    /** From metadata, for every planned delete and rebuild. */
    estimated: EstimatedTotalsSchema,
    /** Run only: the same estimate, for the actions that were done. */
    estimatedDone: EstimatedTotalsSchema.nullable(),
    /** Run only: counted by the run itself. */
    measured: z
      .strictObject({
        exportsArchived: count,
        exportsNotArchived: count,
        archivedObjects: count,
        archivedBytes: bytes,
        deleted: count,
        rebuilt: count,
        notDone: count,
        reputEvents: count,
        reputBytes: bytes,
        rejectedEvents: count,
        /** Uncompressed bytes the rebuilds put back ÷ the stored bytes they were estimated from (null: no rebuild). */
        compressionRatio: z.number().positive().nullable(),
        /** Bytes the exports wrote to S3 ÷ the stored bytes of the windows they exported (null: no export). */
        archiveRatio: z.number().positive().nullable(),
      })
      .nullable(),
  }),
  groups: z.array(GroupSchema),
  pendingRebuilds: z.array(PendingRebuildSchema),
  resumedRebuilds: z.array(ResumedRebuildSchema).nullable(),
  leftForNextRun: z.strictObject({ count, items: z.array(LeftItemSchema), omitted: count }).nullable(),
  warnings: z.array(z.string()),
  notes: z.array(z.string()),
  apiCalls: z.record(z.string(), OperationStatsSchema).nullable(),
});

type JsonReport = z.infer<typeof JsonReportSchema>;
type JsonGroup = z.infer<typeof GroupSchema>;
type JsonStreamEntry = z.infer<typeof StreamEntrySchema>;
type JsonStreamResult = z.infer<typeof StreamResultSchema>;
type JsonEstimatedTotals = z.infer<typeof EstimatedTotalsSchema>;
type JsonPricing = z.infer<typeof PricingSchema>;
type JsonTime = z.infer<typeof TimeSchema>;
type JsonWindow = z.infer<typeof WindowSchema>;
type JsonLeftItem = z.infer<typeof LeftItemSchema>;
type JsonGroupResult = z.infer<typeof GroupResultSchema>;
type JsonStreamOutcome = z.infer<typeof StreamOutcomeSchema>;

export { JsonReportSchema, STREAM_OUTCOMES };
export type {
  JsonEstimatedTotals,
  JsonGroup,
  JsonGroupResult,
  JsonLeftItem,
  JsonPricing,
  JsonReport,
  JsonStreamEntry,
  JsonStreamOutcome,
  JsonStreamResult,
  JsonTime,
  JsonWindow,
};
