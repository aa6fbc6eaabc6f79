/**
 * What the per-group lock costs (issue 11): a fleet lists each group once, so a run's locks after its
 * first make no DescribeLogStreams call; they stamp their events by the CloudWatch clock the first
 * lock learnt, and know their own incarnation by the claim they wrote in it. Against the sandbox.
 */
import { type CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { acquireGroupLock } from '../../src/archive/groupLock.js';
import type { Deps } from '../../src/deps.js';
import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { testConfig, testDeps } from '../helpers/runHarness.js';
import { lockCalls } from '../helpers/lockCalls.js';
import { GROUP, HOUR, seedOrders, useRunSandbox } from '../helpers/scenario.js';

const OTHER = '/app/billing';
let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

/** One run's deps (one client), and lock options sharing one monotonic clock the test does not move. */
function oneRun(clients?: (deps: Deps) => Deps['clients']): {
  deps: Deps;
  options: { renewEveryMs: number; monotonicMs: () => number };
} {
  const config = testConfig(sandbox);
  const base = testDeps(sandbox, config, { runId: 'runa' });
  const deps = clients ? testDeps(sandbox, config, { runId: 'runa', clients: clients(base) }) : base;
  const monotonic = { ms: 0 };
  return { deps, options: { renewEveryMs: 0, monotonicMs: () => monotonic.ms } };
}

const seedTwoGroups = (): void => {
  seedOrders(sandbox, GROUP);
  seedOrders(sandbox, OTHER);
};

describe('the per-group lock, call by call', () => {
  it("creates the account's lock group with a 1-day retention for the first lock, and finds it made by a racing run", async () => {
    seedTwoGroups();
    const { deps, options } = oneRun();
    const first = await acquireGroupLock(deps, GROUP, options);
    if (!first.acquired) throw new Error('not acquired');
    expect(lockCalls(sandbox).map((c) => [c.operation, c.error ?? 'ok'])).toEqual(
      expect.arrayContaining([
        ['CreateLogStream', 'ResourceNotFoundException'],
        ['CreateLogGroup', 'ok'],
        ['PutRetentionPolicy', 'ok'],
        ['CreateLogStream', 'ok'],
      ]),
    );
    const { logGroups } = await deps.clients.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: LOCK_GROUP_NAME }),
    );
    expect(logGroups?.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([[LOCK_GROUP_NAME, 1]]);
    await first.lock.release();
    // Another run created the lock group between our two calls: its CreateLogGroup loses, the lock is taken.
    sandbox.reset();
    seedTwoGroups();
    sandbox.injectFault({
      operation: 'CreateLogGroup',
      error: { name: 'ResourceAlreadyExistsException', status: 400 },
    });
    sandbox.seedGroup(LOCK_GROUP_NAME);
    sandbox.injectFault({ operation: 'CreateLogStream', error: { name: 'ResourceNotFoundException', status: 400 } });
    const second = await acquireGroupLock(oneRun().deps, OTHER, oneRun().options);
    expect(second.acquired).toBe(true);
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([OTHER]);
  });

  it("takes, renews and releases a run's second lock with no DescribeLogStreams call", async () => {
    seedTwoGroups();
    const { deps, options } = oneRun();
    const first = await acquireGroupLock(deps, GROUP, options);
    if (!first.acquired) throw new Error('not acquired');
    await first.lock.release();
    sandbox.clearCalls();
    const second = await acquireGroupLock(deps, OTHER, options);
    if (!second.acquired) throw new Error('not acquired');
    await second.lock.renew();
    expect(second.lock.signal.aborted).toBe(false);
    await second.lock.release();
    expect(lockCalls(sandbox).map((c) => c.operation)).toEqual([
      'CreateLogStream',
      'PutLogEvents',
      'PutLogEvents',
      'GetLogEvents',
      'GetLogEvents',
      'DeleteLogStream',
    ]);
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).toEqual([]);
  });

  it('learns the clock again when the one kept from an earlier lock is refused, and its claim is written', async () => {
    seedTwoGroups();
    const { deps, options } = oneRun();
    const first = await acquireGroupLock(deps, GROUP, options);
    if (!first.acquired) throw new Error('not acquired');
    await first.lock.release();
    // CloudWatch's clock steps 3 hours back (for this client's kept clock, its stamps are 3 h ahead: refused).
    sandbox.clock.advance(-3 * HOUR);
    const second = await acquireGroupLock(deps, OTHER, options);
    if (!second.acquired) throw new Error('not acquired');
    await second.lock.renew();
    expect(second.lock.signal.aborted).toBe(false);
    const stamps = sandbox.events(LOCK_GROUP_NAME, OTHER).map((e) => e.timestamp);
    expect(stamps.length).toBeGreaterThanOrEqual(2);
    for (const t of stamps) expect(Math.abs(t - sandbox.clock.now())).toBeLessThan(60_000);
  });

  it('looks once more for a claim that does not read back at once, and then releases the lock', async () => {
    seedOrders(sandbox);
    let hidden = 0;
    const { deps, options } = oneRun((base) => ({
      ...base.clients,
      logs: hidingFirstRead(base.clients.logs, () => (hidden += 1)),
    }));
    const taken = await acquireGroupLock(deps, GROUP, options);
    if (!taken.acquired) throw new Error('not acquired');
    await taken.lock.release();
    expect(hidden).toBe(1);
    expect(sandbox.streamNames(LOCK_GROUP_NAME)).not.toContain(GROUP);
  });
});

/** A logs client whose first GetLogEvents of the lock stream answers no events (a put not readable yet). */
function hidingFirstRead(logs: CloudWatchLogsClient, onHidden: () => void): CloudWatchLogsClient {
  let done = false;
  return new Proxy(logs, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (
        command: { constructor: { name: string }; input: { logGroupName?: string } },
        ...rest: unknown[]
      ) => {
        const out = await (
          target.send as (c: unknown, ...r: unknown[]) => Promise<{ events?: unknown[]; nextForwardToken?: string }>
        )(command, ...rest);
        if (
          !done &&
          command.constructor.name === 'GetLogEventsCommand' &&
          command.input.logGroupName === LOCK_GROUP_NAME
        ) {
          done = true;
          onHidden();
          return { ...out, events: [], nextForwardToken: undefined };
        }
        return out;
      };
    },
  });
}
