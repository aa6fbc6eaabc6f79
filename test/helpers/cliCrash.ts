/**
 * The real CLI (`node bin/cwl-trim.js run`) as a child process against an in-process sandbox,
 * SIGKILLed while the sandbox holds one of its mutating calls, then run again to completion.
 * Used by test/integration/crashCli.test.ts (a few points) and scripts/crash-sweep.ts (every point).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import {
  createSandboxClock,
  startSandbox,
  type CallRecord,
  type Sandbox,
  type SeedEvent,
  type StallPhase,
} from '@cwl-trim/sandbox';
import { archivedEvents, BUCKET, keys } from './runHarness.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { DeleteLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';
import { stagedPackage } from './bundle.js';

/**
 * The CLI as installed, from a package staged for this process (test/helpers/bundle.ts): never the
 * repository's dist/, which `npm run package` rebuilds while other test files run, and which may be
 * older than the code under test.
 */
const bin = (): string => join(stagedPackage(), 'bin', 'cwl-trim.js');
const GROUP = '/app/orders';
const DAYS = 7;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** No event lies within this of the cutoff: every run of a sweep (minutes apart) splits the events alike. */
const CLEAR_OF_CUTOFF_MS = 45 * MINUTE;

interface CrashWorld {
  readonly sandbox: Sandbox;
  /** The cutoff of a run started now, to within {@link CLEAR_OF_CUTOFF_MS}. */
  readonly cutoffMs: number;
  readonly seeded: ReadonlyMap<string, readonly SeedEvent[]>;
}

/** An event every hour from `fromMs` to `toMs`, but none within 45 minutes of the cutoff. */
function around(stream: string, cutoffMs: number, fromMs: number, toMs: number): SeedEvent[] {
  const events: SeedEvent[] = [];
  for (let t = fromMs; t < toMs; t += HOUR) {
    if (Math.abs(t - cutoffMs) >= CLEAR_OF_CUTOFF_MS)
      events.push({ timestamp: t, message: `${stream} at ${new Date(t).toISOString()}` });
  }
  return events;
}

/**
 * A sandbox on real time (the child's clock is the machine's) with two expired streams, a
 * straddling one (20 days of hourly events, idle 19 h: rebuilt in 7 batches of ≤ 24 h) and a current one.
 */
async function startCrashWorld(): Promise<CrashWorld> {
  const now = Date.now();
  const sandbox = await startSandbox({ clock: createSandboxClock(now, { frozen: false }) });
  const cutoffMs = now - DAYS * DAY;
  sandbox.createBucket(BUCKET);
  sandbox.seedGroup(GROUP, { creationTimeMs: now - 30 * DAY });
  const seeded = new Map<string, SeedEvent[]>([
    ['expired-a', around('expired-a', cutoffMs, now - 25 * DAY, cutoffMs - DAY)],
    ['expired-b', around('expired-b', cutoffMs, now - 12 * DAY, cutoffMs - 2 * DAY)],
    ['straddling', around('straddling', cutoffMs, now - 20 * DAY, now - 19 * HOUR)],
    ['current', around('current', cutoffMs, now - 3 * DAY, now - 20 * HOUR)],
  ]);
  for (const [name, events] of seeded) sandbox.seedStream(GROUP, name, events);
  return { sandbox, cutoffMs, seeded };
}

interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The call the sandbox held when the child was killed; absent when the run ended by itself. */
  readonly killedAt?: CallRecord;
  readonly stderr: string;
}

/** Which call to kill the child at: the `nth` mutating call (among those `where` accepts). */
interface KillPoint {
  readonly nth: number;
  readonly phase: StallPhase;
  readonly where?: (record: CallRecord) => boolean;
}

/** Runs `cwl-trim run` once; with `kill`, SIGKILLs it as soon as the sandbox holds that call. */
async function runCli(world: CrashWorld, kill?: KillPoint): Promise<CliRun> {
  const { sandbox } = world;
  const child = spawn(
    process.execPath,
    [
      bin(),
      'run',
      '--days',
      String(DAYS),
      '--bucket',
      BUCKET,
      '--log-group-prefix',
      '/app/',
      '--endpoint-url',
      sandbox.endpoint,
      '--force-rebuild',
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: sandbox.region,
        NODE_NO_WARNINGS: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  // A sweep stopped midway must not leave its child running against a sandbox that is gone.
  const orphan = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', orphan);
  child.once('exit', () => process.off('exit', orphan));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  if (!kill) return { ...(await exited), stderr };
  const held = sandbox.stallMutatingCall(kill.nth, kill.phase, kill.where);
  const first = await Promise.race([held.then((record) => ({ record })), exited.then(() => undefined)]);
  if (!first) {
    sandbox.clearFaults(); // the run ended before that call: disarm the stall
    return { ...(await exited), stderr };
  }
  child.kill('SIGKILL');
  return { ...(await exited), killedAt: first.record, stderr };
}

/**
 * What an operator does after a run was killed (the refusals say so): remove its lease and its group
 * locks, rather than wait the minutes until they expire.
 */
async function removeDeadRunsLease(sandbox: Sandbox): Promise<void> {
  const { s3, logs, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'cwl-archive/state/lease.json' }));
  if (sandbox.groupNames().includes(LOCK_GROUP_NAME)) {
    for (const stream of sandbox.streamNames(LOCK_GROUP_NAME))
      await logs.send(new DeleteLogStreamCommand({ logGroupName: LOCK_GROUP_NAME, logStreamName: stream }));
  }
  destroy();
}

/**
 * Every seeded event accounted for: each event before the cutoff is in the archive exactly once
 * (and, for a straddling stream, gone from CloudWatch); each event at or after it is in CloudWatch
 * exactly once, in order. Returns the differences (empty when the invariant holds).
 */
function eventDifferences(world: CrashWorld): string[] {
  const { sandbox, cutoffMs, seeded } = world;
  const archive = archivedEvents(sandbox);
  const problems: string[] = [];
  for (const [name, events] of seeded) {
    const old = keys(events.filter((e) => e.timestamp < cutoffMs));
    const kept = events.filter((e) => e.timestamp >= cutoffMs).map((e) => `${e.timestamp} ${e.message}`);
    const archived = keys(archive.get(`${GROUP}|${name}`) ?? []);
    if (archived.join('\n') !== old.join('\n')) {
      problems.push(
        `${name}: archive holds ${archived.length} events, expected the ${old.length} before the cutoff once each`,
      );
    }
    const inCloudWatch = sandbox.streamNames(GROUP).includes(name)
      ? sandbox.events(GROUP, name).map((e) => `${e.timestamp} ${e.message}`)
      : [];
    if (inCloudWatch.join('\n') !== kept.join('\n')) {
      problems.push(
        `${name}: CloudWatch holds ${inCloudWatch.length} events, expected the ${kept.length} at or after the cutoff once each`,
      );
    }
  }
  return problems;
}

export { GROUP, eventDifferences, removeDeadRunsLease, runCli, startCrashWorld };
export type { CliRun, CrashWorld, KillPoint };
