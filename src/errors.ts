/**
 * Typed errors with stable codes. Every error cwl-trim raises on purpose is a {@link CwlTrimError};
 * the code is what reports and exit codes key on, the message is for people.
 */

class CwlTrimError extends Error {
  public readonly code: string;
  public constructor(code: string, message: string, options?: ErrorOptions) {
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

/** An export task ended FAILED or CANCELLED: the window stays unarchived and untouched. */
class ExportTaskFailedError extends CwlTrimError {
  public readonly taskId: string;
  public readonly status: string;
  public constructor(taskId: string, status: string, message: string, options?: ErrorOptions) {
    super('EXPORT_TASK_FAILED', message, options);
    this.name = 'ExportTaskFailedError';
    this.taskId = taskId;
    this.status = status;
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

/** A rebuild was abandoned because the stream changed after its events were read. */
class StreamChangedError extends CwlTrimError {
  public constructor(message: string, options?: ErrorOptions) {
    super('STREAM_CHANGED', message, options);
    this.name = 'StreamChangedError';
  }
}

/** PutLogEvents refused some events of a rebuild: they are kept in the archive and reported. */
class EventsRejectedError extends CwlTrimError {
  public readonly rejectedCount: number;
  public constructor(rejectedCount: number, message: string, options?: ErrorOptions) {
    super('EVENTS_REJECTED', message, options);
    this.name = 'EventsRejectedError';
    this.rejectedCount = rejectedCount;
  }
}

/**
 * A durable object cwl-trim wrote (group state, journal manifest, batch or progress) cannot be read,
 * parsed or does not match its schema or checksum. Nothing destructive was done after it was found.
 */
class StateCorruptError extends CwlTrimError {
  public readonly bucket: string;
  public readonly key: string;
  public constructor(bucket: string, key: string, problem: string, fix: string, options?: ErrorOptions) {
    super('STATE_CORRUPT', `s3://${bucket}/${key}: ${problem}. ${fix}`, options);
    this.name = 'StateCorruptError';
    this.bucket = bucket;
    this.key = key;
  }
}

/** S3 refused to give back an object cwl-trim wrote (AccessDenied): typically KMS decrypt rights missing. */
class StateUnreadableError extends CwlTrimError {
  public readonly bucket: string;
  public readonly key: string;
  public constructor(bucket: string, key: string, options?: ErrorOptions) {
    super(
      'STATE_UNREADABLE',
      `s3://${bucket}/${key}: access denied reading it back. The role needs s3:GetObject on the archive prefix and, ` +
        'for an SSE-KMS bucket, kms:Decrypt on its key (kms:GenerateDataKey alone lets it write but not read)',
      options,
    );
    this.name = 'StateUnreadableError';
    this.bucket = bucket;
    this.key = key;
  }
}

/**
 * A rebuild's journal does not hold what its manifest says (a batch missing, unreadable, damaged, or
 * not what was saved): the stream is left as it is, and the message says what to do.
 */
class JournalInvalidError extends CwlTrimError {
  public readonly bucket: string;
  public readonly key: string;
  /** What is wrong with the object, without the fix (which depends on how far the rebuild got). */
  public readonly problem: string;
  public constructor(bucket: string, key: string, problem: string, fix: string, options?: ErrorOptions) {
    super('JOURNAL_INVALID', `rebuild journal s3://${bucket}/${key}: ${problem}. ${fix}`, options);
    this.name = 'JournalInvalidError';
    this.bucket = bucket;
    this.key = key;
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

export {
  ConfigError,
  CwlTrimError,
  DeadlineReachedError,
  EventsRejectedError,
  ExportTaskFailedError,
  ExportVerificationError,
  GroupLockLostError,
  JournalInvalidError,
  LeaseHeldError,
  RunFailedError,
  StateConflictError,
  StateCorruptError,
  StateUnreadableError,
  StreamChangedError,
};
