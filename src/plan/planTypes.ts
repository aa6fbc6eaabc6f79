/**
 * The plan's plain data: what a run does to each stream and group, and why (src/plan makes it, the
 * shell carries it out, the report renders it). Settings and the account's metadata are in src/types.ts.
 */
import type { InFlightExport, StorageTierName, Strategy, StreamInfo, TimeWindow } from '../types.js';

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
  /** Events whose first or last timestamp DescribeLogStreams does not report yet: their span is unknown. */
  MetadataPending: 'metadata-pending',
  Active: 'active',
  IngestedAfterExport: 'ingested-after-export',
  OutsidePutWindow: 'outside-put-window',
  GroupHasFilters: 'group-has-filters',
  DataProtected: 'data-protected',
  NotWorthIt: 'not-worth-it',
  RetentionStrategy: 'retention-strategy',
  NotArchived: 'not-archived',
  JournalPending: 'journal-pending',
  /** An account SUBSCRIPTION_FILTER_POLICY would deliver re-put events again. */
  AccountSubscriptionPolicy: 'account-subscription-policy',
  /** An account METRIC_EXTRACTION_POLICY would count re-put events again. */
  AccountMetricPolicy: 'account-metric-policy',
  /** The account's data protection policy masks what a rebuild would read back. */
  AccountDataProtected: 'account-data-protected',
  /** A transformer (the group's or an account TRANSFORMER_POLICY) would transform re-put events twice. */
  Transformed: 'transformed',
  /** Account policies could not be read, so any of the above may apply. */
  AccountPoliciesUnknown: 'account-policies-unknown',
  /** Deletion protection refuses DeleteLogStream. */
  DeletionProtected: 'deletion-protected',
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
  /** Storage no longer billed each month, net of the archive's S3 price (negative: the archive costs more). */
  readonly monthlySavingUsd: number;
  /** The CloudWatch side: storage no longer billed a month (at the tier price with Intelligent-Tiering). */
  readonly cloudWatchMonthlyUsd: number;
  /** The S3 side: the archive's storage billed instead, a month. */
  readonly archiveMonthlyUsd: number;
  /** Months the removed data would still have stayed: until retention expires it, at most the payback horizon. */
  readonly stayMonths: number;
  /** The net saving over those months (the figure a rebuild's re-put cost is weighed against). */
  readonly lifetimeSavingUsd: number;
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
  /** A class not known to support CreateExportTask and GetLogEvents (ESSENTIALS, or one added later). */
  UnsupportedClass: 'unsupported-class',
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
  readonly cloudWatchMonthlyUsd: number;
  readonly archiveMonthlyUsd: number;
  readonly lifetimeSavingUsd: number;
}

/** How many of a group's streams got one action for one reason, with one example of the detail. */
interface ReasonCount {
  readonly action: StreamActionKind;
  readonly reason: StreamReasonCode;
  readonly count: number;
  readonly example: string;
  readonly detailsVary: boolean;
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
  /**
   * The streams worth listing: every stream for a plan built in one piece, at most a bounded number
   * (rebuilds, skips and deletes first; keeps only counted) for a run that plans page by page.
   */
  readonly streams: readonly StreamPlan[];
  /** Exact, over every stream planned, listed or not. */
  readonly totals: GroupTotals;
  /** Counts by action and reason over every stream planned. */
  readonly reasons: readonly ReasonCount[];
  /** Streams planned and not listed in `streams`, by action. */
  readonly streamsOmitted: { readonly delete: number; readonly rebuild: number; readonly skip: number };
  /** True when the retention strategy would have been cheaper or safer for this group. */
  readonly retentionAdvised?: string;
  /** The account's storage tier the estimates priced (absent when not read). */
  readonly storageTier?: StorageTierName;
  /** DELETE_EMPTY_GROUPS: the group is deleted after this run's work (re-checked first). */
  readonly deleteGroup?: { readonly detail: string };
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
  CatchUpRange,
  GroupPlan,
  GroupSkipReasonCode,
  GroupTotals,
  PendingRebuild,
  Plan,
  ReasonCount,
  RetentionChange,
  StreamActionKind,
  StreamEstimate,
  StreamPlan,
  StreamReasonCode,
};
