import { randomUUID } from 'node:crypto';
import { createCallStats } from './aws/callAws.js';
import { createClients, type AwsClients } from './aws/clients.js';
import { createLimiters } from './aws/limiters.js';
import { realSleep, systemClock, type Clock, type Sleep } from './clock.js';
import {
  DEFAULT_EXPORT_POLL,
  DEFAULT_EXPORT_SLOT,
  NO_DEADLINE,
  type Backoff,
  type Deadline,
  type Deps,
  type Progress,
} from './deps.js';
import { interruptibleDeadline, wakeOnAbort } from './interrupt.js';
import { createLogger, type Logger } from './logger.js';
import type { Config } from './types.js';

interface DepsOptions {
  readonly clients?: AwsClients;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly logger?: Logger;
  readonly deadline?: Deadline;
  readonly exportPoll?: Backoff;
  readonly exportSlot?: Backoff;
  readonly settle?: Backoff;
  readonly quotasTps?: Partial<Record<string, number>>;
  readonly retry?: { retries?: number; minTimeoutMs?: number; maxTimeoutMs?: number };
  readonly runId?: string;
  readonly progress?: Progress;
  /** Aborted at SIGINT/SIGTERM: the deadline passes at once and waits end (see interrupt.ts). */
  readonly interrupt?: AbortSignal;
}

/**
 * Wires a run: clients (or the ones given), one limiter per API at `quotaShare` of its quota,
 * the logger, the clock and the deadline. The CLI, the Lambda handler, tests and benchmarks all
 * come through here, with their own options.
 *
 * @example const deps = createDeps(config, { deadline: lambdaDeadline(context) });
 */
function createDeps(config: Readonly<Config>, options: DepsOptions = {}): Deps {
  const runId = options.runId ?? randomUUID().slice(0, 8);
  const { interrupt } = options;
  const deadline = options.deadline ?? NO_DEADLINE;
  const sleep = options.sleep ?? realSleep;
  return {
    clients: options.clients ?? createClients(config),
    call: {
      limiters: createLimiters({
        quotaShare: config.quotaShare,
        ...(options.quotasTps ? { quotasTps: options.quotasTps } : {}),
      }),
      stats: createCallStats(),
      ...(options.retry ? { retry: options.retry } : {}),
    },
    clock: options.clock ?? systemClock,
    sleep: interrupt ? wakeOnAbort(sleep, interrupt) : sleep,
    logger: options.logger ?? createLogger({ level: config.logLevel, runId }),
    deadline: interrupt ? interruptibleDeadline(deadline, interrupt) : deadline,
    exportPoll: options.exportPoll ?? DEFAULT_EXPORT_POLL,
    exportSlot: options.exportSlot ?? DEFAULT_EXPORT_SLOT,
    ...(options.settle ? { settle: options.settle } : {}),
    runId,
    ...(options.progress ? { progress: options.progress } : {}),
    ...(interrupt ? { interrupt } : {}),
  };
}

export { createDeps };
export type { DepsOptions };
