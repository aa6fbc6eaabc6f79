/**
 * The CLI's process exit codes: a script (cron, CI) can tell "all done" from "run again later"
 * from "fix your settings" without reading the report.
 */
import type { JsonReport } from './jsonSchema.js';

const ExitCode = {
  /** The run did everything it planned, or a plan (dry run) was printed. */
  Done: 0,
  /** Something failed: an error, a failed export, or events PutLogEvents refused. */
  Failed: 1,
  /** A setting or flag is missing or wrong; no AWS call was made. */
  BadSettings: 2,
  /** Part of the work is left for the next run (deadline, busy export slot, a stream that changed). */
  Partial: 3,
  /** Another cwl-trim run holds the lease on this archive prefix. */
  LeaseHeld: 4,
  /** Stopped by SIGINT/SIGTERM at a safe point (128 + SIGINT, as shells report it); the next run carries on. */
  Interrupted: 130,
} as const;

type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The exit code a report's outcome calls for.
 *
 * @example process.exitCode = exitCodeOf(report.outcome); // 3 when work is left for the next run
 */
function exitCodeOf(outcome: JsonReport['outcome']): ExitCodeValue {
  switch (outcome) {
    case 'planned':
    case 'done':
      return ExitCode.Done;
    case 'partial':
      return ExitCode.Partial;
    case 'failed':
      return ExitCode.Failed;
  }
}

export { ExitCode, exitCodeOf };
export type { ExitCodeValue };
