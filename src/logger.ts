/**
 * Structured logs: one JSON object per line on stdout, which Lambda forwards to CloudWatch Logs as is.
 * No transport (it would spawn a worker thread that a frozen Lambda cannot flush).
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type { LogLevel } from './types.js';

interface LoggerOptions {
  readonly level: LogLevel;
  /** Written on every line, so the lines of one run can be found together. */
  readonly runId: string;
  /** Where lines go; stdout (synchronous writes) by default. Tests pass a stream they read. */
  readonly destination?: DestinationStream;
}

/**
 * Creates the run's logger: pino JSON lines with `runId`, an ISO `time` and the level as a word.
 * Callers make one child per log group: `logger.child({ logGroupName })`.
 *
 * @example
 * const logger = createLogger({ level: config.logLevel, runId });
 * logger.child({ logGroupName: '/aws/lambda/orders' }).info({ windowFromMs, windowToMs }, 'export started');
 */
function createLogger(options: LoggerOptions): Logger {
  // Synchronous: a Lambda is frozen as soon as the handler returns, and buffered lines would be lost or late.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { runId: options.runId },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" reads better in CloudWatch Logs Insights than "level":30.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export { createLogger };
export type { Logger, LoggerOptions };
