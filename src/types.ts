/**
 * The plain data cwl-trim decides over. Types only: the pure core (src/plan) takes and returns these,
 * the shell (src/aws, src/archive, src/trim) reads and writes them.
 */

/** How a run removes archived events from CloudWatch. */
type Strategy = 'rebuild' | 'retention';

type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

interface GroupSelection {
  /** Exact log group names. */
  readonly names: readonly string[];
  /** Name prefixes (`/` selects every group, on purpose). */
  readonly prefixes: readonly string[];
  /** Only groups carrying this tag. */
  readonly tag?: { readonly key: string; readonly value: string };
  /** Groups whose name starts with one of these are never touched. */
  readonly excludePrefixes: readonly string[];
}

/** Prices in USD (us-east-1 defaults) and how the payback of a rebuild is judged. */
interface Prices {
  /** Ingestion, per uncompressed GB (paid again for every re-put byte). */
  readonly ingestionPerGb: number;
  /** CloudWatch Logs storage, per compressed GB-month. */
  readonly storagePerGbMonth: number;
  /** The archive's S3 storage, per GB-month. */
  readonly archivePerGbMonth: number;
  /** Uncompressed bytes ÷ stored (compressed) bytes. */
  readonly compressionRatio: number;
  /** A rebuild must pay for itself within this many months. */
  readonly paybackHorizonMonths: number;
}

/** Validated settings. Everything downstream takes `Readonly<Config>`. */
interface Config {
  /** Events older than now − days are archived, then trimmed. */
  readonly days: number;
  readonly bucket: string;
  /** Key prefix of everything cwl-trim writes in the bucket (no leading or trailing slash). */
  readonly bucketPrefix: string;
  readonly selection: GroupSelection;
  readonly dryRun: boolean;
  readonly logLevel: LogLevel;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly strategy: Strategy;
  /** A straddling stream is rebuilt only after this many minutes without ingestion. */
  readonly quietMinutes: number;
  /** Rebuild even when the payback test says it does not pay. */
  readonly forceRebuild: boolean;
  /** Rebuild streams of groups with subscription or metric filters (re-put events are delivered again). */
  readonly allowFilteredGroups: boolean;
  /** Read data-protected groups with `unmask: true` (needs logs:Unmask); otherwise they are skipped. */
  readonly unmask: boolean;
  /** The share (0 < share ≤ 1) of each API quota cwl-trim may use. */
  readonly quotaShare: number;
  readonly prices: Prices;
}

/** One log group as discovery read it. */
interface GroupInfo {
  readonly logGroupName: string;
  readonly arn: string;
  readonly creationTimeMs: number;
  readonly retentionInDays?: number;
  /** Compressed bytes stored (the only size CloudWatch reports correctly). */
  readonly storedBytes: number;
  readonly logGroupClass: string;
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly subscriptionFilterCount: number;
  readonly metricFilterCount: number;
  readonly hasDataProtectionPolicy: boolean;
}

/** One log stream's metadata (eventually consistent: see METADATA_LAG_MS). */
interface StreamInfo {
  readonly logStreamName: string;
  readonly creationTimeMs: number;
  readonly firstEventTimestampMs?: number;
  readonly lastEventTimestampMs?: number;
  readonly lastIngestionTimeMs?: number;
}

/** A window of event timestamps, both ends inclusive, as CreateExportTask takes it. */
interface TimeWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/** One archived window, verified in S3. */
interface ArchivedWindow extends TimeWindow {
  readonly taskId: string;
  readonly destinationPrefix: string;
  /** When the export task was created: events ingested later than this − EXPORT_LAG_MS may be missing. */
  readonly taskCreatedAtMs: number;
  readonly objectCount: number;
  readonly bytes: number;
}

/** The export we started and have not yet seen verified. Written before CreateExportTask is sent. */
interface InFlightExport extends TimeWindow {
  readonly destinationPrefix: string;
  /** Unknown between the intent write and the CreateExportTask answer. */
  readonly taskId?: string;
  readonly intentAtMs: number;
  readonly taskCreatedAtMs?: number;
}

/** A group's durable archive state, one S3 object per group. */
interface GroupState {
  readonly logGroupName: string;
  /** Every event with timestamp ≤ this is archived and verified; undefined before the first export. */
  readonly archivedThroughMs?: number;
  readonly windows: readonly ArchivedWindow[];
  readonly inFlight?: InFlightExport;
}

/** What a run does to one stream. */
const StreamAction = {
  /** Every event is archived: delete the stream. */
  Delete: 'delete',
  /** Save the events to keep, delete, recreate and put them back. */
  Rebuild: 'rebuild',
  /** Nothing to remove. */
  Keep: 'keep',
  /** Something to remove, but a guard said no (see the reason). */
  Skip: 'skip',
} as const;
type StreamActionKind = (typeof StreamAction)[keyof typeof StreamAction];

/** Why a stream gets its action. Stable codes: reports and tests key on them. */
const StreamReason = {
  Expired: 'expired',
  Current: 'current',
  Straddling: 'straddling',
  EmptyOld: 'empty-old',
  EmptyRecent: 'empty-recent',
  Active: 'active',
  IngestedAfterExport: 'ingested-after-export',
  OutsidePutWindow: 'outside-put-window',
  GroupHasFilters: 'group-has-filters',
  DataProtected: 'data-protected',
  NotWorthIt: 'not-worth-it',
  RetentionStrategy: 'retention-strategy',
  NotArchived: 'not-archived',
  JournalPending: 'journal-pending',
  /** cwl-trim's own per-group lock stream: never planned for anything. */
  LockStream: 'cwl-trim-lock',
} as const;
type StreamReasonCode = (typeof StreamReason)[keyof typeof StreamReason];

/** Money and bytes of one stream's action; every figure is an estimate from metadata. */
interface StreamEstimate {
  /** The stream's share of the group's stored (compressed) bytes. */
  readonly storedBytes: number;
  /** Stored bytes the action removes from CloudWatch. */
  readonly removeStoredBytes: number;
  /** Uncompressed bytes a rebuild would put back (and pay ingestion for). */
  readonly reputBytes: number;
  readonly reputCostUsd: number;
  /** Storage no longer billed each month, net of the archive's S3 price. */
  readonly monthlySavingUsd: number;
  /** Months until the saving pays for the re-put; 0 when nothing is re-put, null when it never does. */
  readonly paybackMonths: number | null;
}

/**
 * A range of a stream's events an earlier export may have missed (written late, after its task began):
 * archived by the run itself before the stream loses events (src/archive/catchUp.ts).
 */
interface CatchUpRange extends TimeWindow {
  /** Events ingested at or after this (the export's creation − the 12 h export lag) may be missing. */
  readonly ingestedFromMs: number;
  /** The export that covered the range, whose objects are compared with what is read. */
  readonly taskId: string;
  readonly destinationPrefix: string;
}

interface StreamPlan {
  readonly logStreamName: string;
  readonly action: StreamActionKind;
  readonly reason: StreamReasonCode;
  /** One sentence a person can act on. */
  readonly detail: string;
  /** The metadata the decision was made on; a rebuild re-checks it before deleting. */
  readonly snapshot: StreamInfo;
  readonly estimate: StreamEstimate;
  /**
   * Delete and rebuild only: the group must be archived and verified through this timestamp before
   * the action runs (re-checked at execution: an export that fails leaves the stream alone).
   */
  readonly requiresArchivedThroughMs?: number;
  /** Delete and rebuild only: late events to archive first (none when the stream was not written after its exports). */
  readonly catchUp?: readonly CatchUpRange[];
}

/** Why a whole group is left alone. */
const GroupSkipReason = {
  InfrequentAccess: 'infrequent-access',
  DeliveryClass: 'delivery-class',
  NewerThanCutoff: 'newer-than-cutoff',
} as const;
type GroupSkipReasonCode = (typeof GroupSkipReason)[keyof typeof GroupSkipReason];

interface RetentionChange {
  readonly currentDays?: number;
  readonly targetDays: number;
  /** False when setting it now could expire events before they are archived. */
  readonly safe: boolean;
  readonly detail: string;
}

interface GroupTotals {
  readonly streams: number;
  readonly delete: number;
  readonly rebuild: number;
  readonly keep: number;
  readonly skip: number;
  readonly removeStoredBytes: number;
  readonly reputBytes: number;
  readonly reputCostUsd: number;
  readonly monthlySavingUsd: number;
}

interface GroupPlan {
  readonly logGroupName: string;
  readonly arn: string;
  readonly storedBytes: number;
  readonly retentionInDays?: number;
  readonly skip?: { readonly reason: GroupSkipReasonCode; readonly detail: string };
  /** Archived and verified through this timestamp before the run. */
  readonly archivedThroughMs?: number;
  /** An export a crashed or timed-out run left in flight: finished before anything else. */
  readonly resumeExport?: InFlightExport;
  /** The new window this run exports (absent when there is nothing new to archive). */
  readonly exportWindow?: TimeWindow;
  readonly retention?: RetentionChange;
  readonly streams: readonly StreamPlan[];
  readonly totals: GroupTotals;
  /** True when the retention strategy would have been cheaper or safer for this group. */
  readonly retentionAdvised?: string;
  readonly warnings: readonly string[];
}

/** A rebuild a previous run started and did not finish: carried out before anything else. */
interface PendingRebuild {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly journalPrefix: string;
  readonly events: number;
  readonly batches: number;
  readonly phase: string;
  readonly nextBatch: number;
}

interface Plan {
  readonly nowMs: number;
  readonly cutoffMs: number;
  readonly days: number;
  readonly strategy: Strategy;
  readonly dryRun: boolean;
  readonly bucket: string;
  readonly bucketPrefix: string;
  readonly pendingRebuilds: readonly PendingRebuild[];
  readonly groups: readonly GroupPlan[];
  readonly totals: GroupTotals & { readonly groups: number; readonly exports: number };
}

export { GroupSkipReason, StreamAction, StreamReason };
export type {
  ArchivedWindow,
  CatchUpRange,
  Config,
  GroupInfo,
  GroupPlan,
  GroupSkipReasonCode,
  GroupTotals,
  GroupSelection,
  GroupState,
  InFlightExport,
  PendingRebuild,
  LogLevel,
  Plan,
  Prices,
  RetentionChange,
  StreamActionKind,
  StreamEstimate,
  StreamPlan,
  StreamReasonCode,
  Strategy,
  StreamInfo,
  TimeWindow,
};
