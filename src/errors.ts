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
  LeaseHeldError,
  RunFailedError,
  StateConflictError,
  StreamChangedError,
};
