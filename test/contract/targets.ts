/**
 * The contract suite runs every scenario against two targets: our sandbox and moto. A scenario
 * where moto is known to differ from AWS (../shared/TOOLCHAIN.md, and what running moto showed)
 * is skipped on moto and says why in its name; the sandbox is never bent toward moto.
 */
import {
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { PUT_MAX_EVENTS, PUT_MAX_SPAN_MS } from '../../src/constants.js';
import { startSandbox } from '@cwl-trim/sandbox';
import type { Sandbox } from '@cwl-trim/sandbox';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import type { SandboxClients } from '@cwl-trim/sandbox/testing';
import { motoAvailable, startMoto } from './moto.js';

type TargetName = 'sandbox' | 'moto';

interface HistoryEvent {
  readonly timestamp: number;
  readonly message: string;
}

interface ContractTarget extends Pick<SandboxClients, 'logs' | 's3'> {
  readonly name: TargetName;
  readonly endpoint: string;
  /**
   * Whether history older than PutLogEvents' 14 days can be put in place. The sandbox seeds any
   * age directly; on moto, as on AWS, history only arrives through PutLogEvents.
   */
  readonly seedsOldHistory: boolean;
  /** Puts `events` into an existing group as history (stream created when missing). */
  seedHistory(group: string, stream: string, events: readonly HistoryEvent[]): Promise<void>;
}

interface RunningTarget extends ContractTarget {
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** PutLogEvents batches that respect the order, 24 h and 10,000-event rules. */
function* batches(events: readonly HistoryEvent[]): Generator<HistoryEvent[]> {
  let batch: HistoryEvent[] = [];
  for (const e of [...events].sort((a, b) => a.timestamp - b.timestamp)) {
    const first = batch[0];
    if (first && (e.timestamp - first.timestamp > PUT_MAX_SPAN_MS || batch.length >= PUT_MAX_EVENTS)) {
      yield batch;
      batch = [];
    }
    batch.push(e);
  }
  if (batch.length > 0) yield batch;
}

async function createStream(clients: SandboxClients, group: string, stream: string): Promise<void> {
  try {
    await clients.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  } catch (err) {
    if (!(err instanceof ResourceAlreadyExistsException)) throw err;
  }
}

async function startSandboxTarget(): Promise<RunningTarget> {
  // No quotas here: moto has none, and quotas are the sandbox's own rule (unit-tested). Export
  // tasks take a few hundred ms so a scenario can see them PENDING, as on AWS.
  const sandbox: Sandbox = await startSandbox({ quotasTps: false, exportTiming: { pendingMs: 100, runningMs: 150 } });
  const clients = sandboxClients(sandbox.endpoint, sandbox.region);
  return {
    name: 'sandbox',
    endpoint: sandbox.endpoint,
    logs: clients.logs,
    s3: clients.s3,
    seedsOldHistory: true,
    seedHistory: async (group, stream, events) => {
      await createStream(clients, group, stream);
      sandbox.seedStream(group, stream, events);
    },
    reset: () => Promise.resolve(sandbox.reset()),
    stop: async () => {
      clients.destroy();
      await sandbox.stop();
    },
  };
}

async function startMotoTarget(): Promise<RunningTarget> {
  const moto = await startMoto();
  const clients = sandboxClients(moto.endpoint);
  return {
    name: 'moto',
    endpoint: moto.endpoint,
    logs: clients.logs,
    s3: clients.s3,
    seedsOldHistory: false,
    seedHistory: async (group, stream, events) => {
      await createStream(clients, group, stream);
      for (const logEvents of batches(events)) {
        const res = await clients.logs.send(
          new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }),
        );
        if (res.rejectedLogEventsInfo)
          throw new Error(`moto rejected seeded history: ${JSON.stringify(res.rejectedLogEventsInfo)}`);
      }
    },
    reset: () => moto.reset(),
    stop: async () => {
      clients.destroy();
      await moto.stop();
    },
  };
}

const HAS_MOTO = motoAvailable();

/**
 * True on moto for a scenario where moto is known to differ from AWS: the scenario is skipped
 * there. Set CWL_TRIM_CHECK_MOTO_DEVIATIONS=1 to run them anyway and see whether moto still differs.
 */
function motoDeviation(name: TargetName): boolean {
  return name === 'moto' && process.env['CWL_TRIM_CHECK_MOTO_DEVIATIONS'] !== '1';
}

/**
 * Declares the scenarios of `body` once per target. `body` gets a getter for the running target
 * (valid inside tests) and the target's name (to mark moto deviations with `it.skipIf`).
 */
function describeContract(title: string, body: (target: () => ContractTarget, name: TargetName) => void): void {
  const specs = [
    { name: 'sandbox', available: true, label: 'sandbox', start: startSandboxTarget },
    {
      name: 'moto',
      available: HAS_MOTO,
      label: HAS_MOTO ? 'moto' : 'moto (skipped: moto_server not on PATH)',
      start: startMotoTarget,
    },
  ] as const;
  for (const spec of specs) {
    describe.skipIf(!spec.available)(`${title} [${spec.label}]`, () => {
      let running: RunningTarget | undefined;
      beforeAll(async () => {
        running = await spec.start();
      });
      beforeEach(async () => {
        await running?.reset();
      });
      afterAll(async () => {
        await running?.stop();
      });
      body(() => {
        if (!running) throw new Error('contract target used outside a test');
        return running;
      }, spec.name);
    });
  }
}

export { describeContract, motoDeviation };
export type { ContractTarget, HistoryEvent, TargetName };
