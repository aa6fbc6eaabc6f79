/**
 * One group's actions as its pages are read, with the archive's look-ups held open by the test: the
 * listing waits once a few pool-fulls of deletes are in flight, a group locked by another run is left
 * alone, a run that must stop waits for what is under way, and a kept stream's catch-up closes its
 * page only when it succeeded.
 */
import { describe, expect, it } from 'vitest';
import type { ArchiveIndex } from '../../../src/archive/exportManifest.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import { createDeps } from '../../../src/createDeps.js';
import { concurrencyFor, createLane } from '../../../src/execute/pool.js';
import { StreamActions, type OpenPage } from '../../../src/execute/streamActions.js';
import { createLogger } from '../../../src/logger.js';
import type { GroupLedger } from '../../../src/plan/groupLedger.js';
import { StreamAction, type StreamPlan } from '../../../src/plan/planTypes.js';
import type { GroupState } from '../../../src/types.js';
import { configFactory, daysAgo, streamFactory } from '../../helpers/factories.js';

const GROUP = '/app/actions';
const config = configFactory({ bucket: 'archive' });
const window = {
  fromMs: daysAgo(30),
  toMs: daysAgo(7),
  taskId: 'task-1',
  destinationPrefix: 'cwl-archive/x',
  taskCreatedAtMs: daysAgo(6),
  objectCount: 1,
  bytes: 10,
};
const state: GroupState = { logGroupName: GROUP, archivedThroughMs: daysAgo(7), windows: [window] };

const deletePlan = (name: string): StreamPlan => ({
  logStreamName: name,
  action: StreamAction.Delete,
  reason: 'expired',
  detail: 'every event is older than the cutoff',
  snapshot: streamFactory(name, 20, 10),
  estimate: {} as StreamPlan['estimate'],
  requiresArchivedThroughMs: daysAgo(10),
});
const keptWithCatchUp = (name: string): StreamPlan => ({
  logStreamName: name,
  action: StreamAction.Keep,
  reason: 'current',
  detail: 'kept',
  snapshot: streamFactory(name, 20, 1),
  estimate: {} as StreamPlan['estimate'],
  catchUp: [{ ...window, ingestedFromMs: daysAgo(6.5) }],
});

/**
 * Deletes whose archive look-up waits until the test answers it (false: "holds no object", so each
 * ends skipped without a CloudWatch call); a GetLogEvents that answers `pages` or throws.
 */
function harness(options: { getLogEvents?: () => unknown; listed?: Set<string> } = {}) {
  const waiting: ((holds: boolean) => void)[] = [];
  const index = {
    holds: () => new Promise<boolean>((resolve) => waiting.push(resolve)),
  } as unknown as ArchiveIndex;
  const sent: string[] = [];
  const logged: Record<string, unknown>[] = [];
  const logs = {
    send: async (command: { constructor: { name: string } }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push(name);
      if (name === 'GetLogEvents' && options.getLogEvents) return options.getLogEvents();
      return {};
    },
  };
  const deps = createDeps(config, {
    clients: { logs } as unknown as AwsClients,
    logger: createLogger({ level: 'debug', runId: 't', destination: { write: (s) => logged.push(JSON.parse(s)) } }),
  });
  const listed = options.listed ?? new Set<string>();
  const pinned: string[] = [];
  const ledger = {
    isListed: (n: string) => listed.has(n),
    pin: (p: StreamPlan) => pinned.push(p.logStreamName),
  } as unknown as GroupLedger;
  let locks = 0;
  const make = (lock?: { lockedBy: string }) =>
    new StreamActions(deps, config, {
      logGroupName: GROUP,
      cutoffMs: daysAgo(7),
      now: () => state,
      index,
      rebuildLane: createLane(1),
      lock: async () => {
        locks += 1;
        return lock ? { skip: lock } : { lock: { deps } };
      },
      ledger,
    });
  const limit = concurrencyFor(deps.call.limiters.allowedTps('DeleteLogStream')) * 4;
  return { make, waiting, sent, logged, pinned, listed, limit, locks: () => locks };
}

const page = (): OpenPage => ({ streamsBefore: 0, weightBefore: 0, pending: 0 });
/** Whether `p` settles before the timers of this turn: a wait that is not there resolves at once. */
const settlesNow = async (p: Promise<unknown>): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);

describe('StreamActions: backpressure on the listing', () => {
  it('the listing waits once four pool-fulls of deletes are in flight, and goes on as one ends', async () => {
    const h = harness();
    const actions = h.make();
    const p = page();
    for (let i = 0; i < h.limit; i += 1) await actions.start(deletePlan(`s${i}`), p);
    expect(h.limit).toBe(32); // DeleteLogStream 15 TPS × the default share 0.5 → a pool of 8, × 4
    expect(h.waiting).toHaveLength(h.limit);
    const wait = actions.backpressure();
    expect(await settlesNow(wait)).toBe(false);
    h.waiting[0]!(false);
    expect(await settlesNow(wait)).toBe(true);
    for (const answer of h.waiting.slice(1)) answer(false);
    await actions.settle();
    expect(p.pending).toBe(0);
    expect(actions.tally.outcomes.skipped).toBe(h.limit);
    expect(h.sent).toEqual([]);
  });

  it('one delete fewer in flight: the listing does not wait', async () => {
    const h = harness();
    const actions = h.make();
    const p = page();
    for (let i = 0; i < h.limit - 1; i += 1) await actions.start(deletePlan(`s${i}`), p);
    expect(await settlesNow(actions.backpressure())).toBe(true);
    for (const answer of h.waiting) answer(false);
    await actions.settle();
  });
});

describe('StreamActions: the group lock, stopping, listing', () => {
  it('a group another run holds: locked out, asked once, and no action starts', async () => {
    const h = harness();
    const actions = h.make({ lockedBy: 'run-b' });
    const p = page();
    await actions.start(deletePlan('a'), p);
    await actions.start(deletePlan('b'), p);
    expect(actions.lockedOut).toEqual({ lockedBy: 'run-b' });
    expect(h.locks()).toBe(1);
    expect(h.waiting).toEqual([]);
    expect(p.pending).toBe(0);
    expect(h.make().lockedOut).toBeUndefined();
  });

  it('abandon waits for the actions under way', async () => {
    const h = harness();
    const actions = h.make();
    await actions.start(deletePlan('a'), page());
    const abandoned = actions.abandon();
    expect(await settlesNow(abandoned)).toBe(false);
    h.waiting[0]!(false);
    expect(await settlesNow(abandoned)).toBe(true);
  });

  it('lists the results of the streams the ledger still lists, and pins those not done', async () => {
    const h = harness({ listed: new Set(['a', 'b']) });
    const actions = h.make();
    await actions.start(deletePlan('a'), page());
    await actions.start(deletePlan('b'), page());
    for (const answer of h.waiting) answer(false);
    await actions.settle();
    h.listed.delete('b'); // pushed out of the list by streams ranked higher, after its action
    expect(actions.listedResults().map((r) => [r.logStreamName, r.outcome])).toEqual([['a', 'skipped']]);
    expect(h.pinned).toEqual(['a', 'b']);
  });
});

describe("StreamActions: a kept stream's catch-up", () => {
  it('nothing late: its page closes', async () => {
    const h = harness({ getLogEvents: () => ({ events: [] }) });
    const actions = h.make();
    const p = page();
    await actions.start(keptWithCatchUp('k'), p);
    expect(p.pending).toBe(1);
    await actions.settle();
    expect(p.pending).toBe(0);
    expect(actions.keptCaughtUp).toBe(0);
    expect(actions.tally.outcomes.failed).toBe(0);
  });

  it('a catch-up that fails is counted failed and logged; its page stays open for the next run', async () => {
    const h = harness({
      getLogEvents: () => {
        throw Object.assign(new Error('stream is being rebuilt'), { name: 'AccessDeniedException' });
      },
    });
    const actions = h.make();
    const p = page();
    await actions.start(keptWithCatchUp('k1'), p);
    await actions.start(keptWithCatchUp('k2'), p);
    await actions.settle();
    expect(p.pending).toBe(2);
    expect(actions.tally.outcomes.failed).toBe(2);
    const lines = h.logged.filter((l) => l.msg === 'catching up late events failed');
    expect(lines.map((l) => [l.level, l.logGroupName, l.logStreamName])).toEqual([
      ['error', GROUP, 'k1'],
      ['error', GROUP, 'k2'],
    ]);
    expect(JSON.stringify(lines[0]?.err)).toContain('stream is being rebuilt');
  });
});
