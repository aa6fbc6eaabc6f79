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
  /** Where the ratio came from: the default (AWS pricing calculator's 15 %) or the COMPRESSION_RATIO setting. */
  readonly compressionRatioSource?: 'default' | 'setting';
  /** INTELLIGENT_TIERING: CloudWatch storage of data 30–90 days old, and older, per GB-month. */
  readonly tier30To90PerGbMonth: number;
  readonly tierOver90PerGbMonth: number;
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
  /** Delete a selected group with no stream and no filter left once its state says every event is archived. */
  readonly deleteEmptyGroups?: boolean;
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
  /** Account-level policies and group settings that change what a re-put or a delete does (groupSettings.ts). */
  readonly extras?: GroupExtras;
}

/** The storage tier of the account's CloudWatch Logs data (GetStorageTierPolicy). */
type StorageTierName = 'STANDARD' | 'INTELLIGENT_TIERING';

/**
 * What account policies (DescribeAccountPolicies) and the group's own settings mean for it, read
 * conservatively: a policy whose selection cwl-trim cannot read is taken to apply.
 */
interface GroupExtras {
  /** SUBSCRIPTION_FILTER_POLICY names: re-put events are delivered to their destinations again. */
  readonly accountSubscriptionPolicies: readonly string[];
  /** METRIC_EXTRACTION_POLICY names: re-put events are counted again. */
  readonly accountMetricPolicies: readonly string[];
  /** TRANSFORMER_POLICY names, and `(group transformer)` for the group's own (GetTransformer). */
  readonly transformers: readonly string[];
  /** The group inherits the account's DATA_PROTECTION_POLICY (`inheritedProperties`): reads are masked. */
  readonly accountDataProtection: boolean;
  /** Deletion protection is on: DeleteLogStream and DeleteLogGroup are refused. */
  readonly deletionProtected: boolean;
  /** An account RETENTION_POLICY sets the group's retention; PutRetentionPolicy does not change it. */
  readonly retentionPolicyName?: string;
  readonly storageTier: StorageTierName;
  /** Why account policies could not be read: every policy guard then assumes one applies. */
  readonly accountPoliciesUnreadable?: string;
  /** Subscription + metric filters, read for an empty group that DELETE_EMPTY_GROUPS may delete. */
  readonly filterCount?: number;
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

export type {
  ArchivedWindow,
  Config,
  GroupExtras,
  GroupInfo,
  GroupSelection,
  GroupState,
  InFlightExport,
  LogLevel,
  Prices,
  StorageTierName,
  Strategy,
  StreamInfo,
  TimeWindow,
};
