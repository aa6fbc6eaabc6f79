/**
 * Typed errors with stable codes. Every error cwl-trim raises on purpose is a {@link CwlTrimError};
 * the code is what reports, logs and exit codes key on, the message is for people. The codes are one
 * table: a new error gets its row here, and the compiler refuses a code that has none.
 *
 * CwlTrimError
 * ├─ ConfigError                 a setting is wrong (before any AWS call)
 * ├─ ExportVerificationError     a COMPLETED export's objects are not in S3
 * ├─ StateConflictError          a conditional write was refused
 * ├─ LeaseHeldError · GroupLockLostError · DeadlineReachedError   the run (or its work on a group) stops
 * ├─ DurableStateError           an object cwl-trim wrote cannot be trusted
 * │  ├─ StateCorruptError · StateUnreadableError · JournalInvalidError
 * └─ RunFailedError              the handler's way to fail an invocation after its report is written
 */

const ERROR_CODES = {
  CONFIG_INVALID: 'a setting is missing or wrong',
  EXPORT_NOT_VERIFIED: "a COMPLETED export's objects are not all in S3",
  STATE_CONFLICT: 'another writer changed a state object first',
  LEASE_HELD: "another run holds the archive prefix's lease",
  GROUP_LOCK_LOST: "this run lost a log group's lock",
  DEADLINE_REACHED: "the run's time is up",
  STATE_CORRUPT: 'a durable object is unreadable or does not match its schema',
  STATE_UNREADABLE: 'S3 refused to give back an object cwl-trim wrote',
  JOURNAL_INVALID: 'a rebuild journal does not hold what its manifest says',
  RUN_FAILED: 'the run ended failed',
  UNKNOWN_OPERATION: 'an AWS operation without a limiter (a bug)',
  ARCHIVE_OBJECT_INVALID: 'an archive object is not one cwl-trim can read',
  EVENT_TOO_LARGE: 'an archived event is larger than archive cat can spill',
  EVENTS_UNSORTED: 'events given to the batcher out of timestamp order (a bug)',
} as const;

type ErrorCode = keyof typeof ERROR_CODES;

class CwlTrimError extends Error {
  public readonly code: ErrorCode;
  public constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CwlTrimError';
    this.code = code;
  }
}

/** A setting is missing or wrong. Raised before any AWS call. */
class ConfigError extends CwlTrimError {
  public readonly setting: string;
  public constructor(setting: string, message: string, options?: ErrorOptions) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** A COMPLETED export's objects could not be found in S3: the window is not archived. */
class ExportVerificationError extends CwlTrimError {
  public constructor(message: string, options?: ErrorOptions) {
    super('EXPORT_NOT_VERIFIED', message, options);
    this.name = 'ExportVerificationError';
  }
}

/** Someone else wrote the state object we were about to write (conditional write refused). */
class StateConflictError extends CwlTrimError {
  public constructor(message: string, options?: ErrorOptions) {
    super('STATE_CONFLICT', message, options);
    this.name = 'StateConflictError';
  }
}

/** Another cwl-trim run holds the lease on this archive prefix. */
class LeaseHeldError extends CwlTrimError {
  public constructor(message: string, options?: ErrorOptions) {
    super('LEASE_HELD', message, options);
    this.name = 'LeaseHeldError';
  }
}

/**
 * This run lost a log group's lock (taken over, deleted, or not renewed in time): its work on that
 * group stopped before the next call. Other groups go on.
 */
class GroupLockLostError extends CwlTrimError {
  public constructor(message: string, options?: ErrorOptions) {
    super('GROUP_LOCK_LOST', message, options);
    this.name = 'GroupLockLostError';
  }
}

/** The run's deadline came before the work was done; state is saved and the next run carries on. */
class DeadlineReachedError extends CwlTrimError {
  public constructor(message: string, options?: ErrorOptions) {
    super('DEADLINE_REACHED', message, options);
    this.name = 'DeadlineReachedError';
  }
}

/** An object cwl-trim wrote, at `s3://bucket/key`, cannot be trusted: nothing destructive follows. */
class DurableStateError extends CwlTrimError {
  public readonly bucket: string;
  public readonly key: string;
  public constructor(code: ErrorCode, bucket: string, key: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'DurableStateError';
    this.bucket = bucket;
    this.key = key;
  }
}

/**
 * A durable object cwl-trim wrote (group state, journal manifest, batch or progress) cannot be read,
 * parsed or does not match its schema or checksum. Nothing destructive was done after it was found.
 */
class StateCorruptError extends DurableStateError {
  public constructor(bucket: string, key: string, problem: string, fix: string, options?: ErrorOptions) {
    super('STATE_CORRUPT', bucket, key, `s3://${bucket}/${key}: ${problem}. ${fix}`, options);
    this.name = 'StateCorruptError';
  }
}

/** S3 refused to give back an object cwl-trim wrote (AccessDenied): typically KMS decrypt rights missing. */
class StateUnreadableError extends DurableStateError {
  public constructor(bucket: string, key: string, options?: ErrorOptions) {
    super(
      'STATE_UNREADABLE',
      bucket,
      key,
      `s3://${bucket}/${key}: access denied reading it back. The role needs s3:GetObject on the archive prefix and, ` +
        'for an SSE-KMS bucket, kms:Decrypt on its key (kms:GenerateDataKey alone lets it write but not read)',
      options,
    );
    this.name = 'StateUnreadableError';
  }
}

/**
 * A rebuild's journal does not hold what its manifest says (a batch missing, unreadable, damaged, or
 * not what was saved): the stream is left as it is, and the message says what to do.
 */
class JournalInvalidError extends DurableStateError {
  /** What is wrong with the object, without the fix (which depends on how far the rebuild got). */
  public readonly problem: string;
  public constructor(bucket: string, key: string, problem: string, fix: string, options?: ErrorOptions) {
    super('JOURNAL_INVALID', bucket, key, `rebuild journal s3://${bucket}/${key}: ${problem}. ${fix}`, options);
    this.name = 'JournalInvalidError';
    this.problem = problem;
  }
}

/** A run ended `failed`: thrown by the Lambda handler after its report is written, so the invocation fails (and alarms). */
class RunFailedError extends CwlTrimError {
  public readonly reportKey: string | null;
  public constructor(message: string, reportKey: string | null, options?: ErrorOptions) {
    super('RUN_FAILED', message, options);
    this.name = 'RunFailedError';
    this.reportKey = reportKey;
  }
}

/**
 * One line for people: `CODE: message` for our errors, `Name: message` for others (the SDK's).
 *
 * @example describeError(new LeaseHeldError('held by run ab12 until 10:42')) // 'LEASE_HELD: held by run ab12 until 10:42'
 */
const describeError = (err: unknown): string =>
  err instanceof CwlTrimError
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? `${err.name}: ${err.message}`
      : String(err);

export {
  ConfigError,
  CwlTrimError,
  DeadlineReachedError,
  DurableStateError,
  ERROR_CODES,
  ExportVerificationError,
  GroupLockLostError,
  JournalInvalidError,
  LeaseHeldError,
  RunFailedError,
  StateConflictError,
  StateCorruptError,
  StateUnreadableError,
  describeError,
};
export type { ErrorCode };
