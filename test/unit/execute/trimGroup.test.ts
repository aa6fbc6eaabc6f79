/**
 * What one stream's delete, and a group's retention change, answer in each case the integration tests
 * do not reach on their own: the deadline, a stream already gone, an action that throws, and each way
 * the retention strategy declines to call PutRetentionPolicy.
 */
import { describe, expect, it } from 'vitest';
import type { ArchiveIndex } from '../../../src/archive/exportManifest.js';
import type { AwsClients } from '../../../src/aws/clients.js';
import { createDeps } from '../../../src/createDeps.js';
import { applyRetention, carryOut } from '../../../src/execute/trimGroup.js';
import { createLogger } from '../../../src/logger.js';
import { type GroupPlan, StreamAction, type StreamPlan } from '../../../src/plan/planTypes.js';
import type { GroupState } from '../../../src/types.js';
import { configFactory, daysAgo, streamFactory } from '../../helpers/factories.js';

const GROUP = '/app/trim';
const config = configFactory({ bucket: 'archive' });

/** Deps whose CloudWatch client records each command and answers with `answer` (or throws what it returns). */
function depsFor(answer: (name: string) => unknown, options: { remainingMs?: number } = {}) {
  const sent: { name: string; input: unknown }[] = [];
  const logged: Record<string, unknown>[] = [];
  const logs = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ name, input: command.input });
      const out = answer(name);
      if (out instanceof Error) throw out;
      return out ?? {};
    },
  };
  const deps = createDeps(config, {
    clients: { logs } as unknown as AwsClients,
    logger: createLogger({ level: 'debug', runId: 't', destination: { write: (s) => logged.push(JSON.parse(s)) } }),
    ...(options.remainingMs === undefined ? {} : { deadline: { remainingMs: () => options.remainingMs ?? 0 } }),
  });
  return { deps, sent, logged };
}

const stream = streamFactory('old', 20, 10);
const deletePlan: StreamPlan = {
  logStreamName: 'old',
  action: StreamAction.Delete,
  reason: 'expired',
  detail: 'every event is older than the cutoff',
  snapshot: stream,
  estimate: {} as StreamPlan['estimate'],
  requiresArchivedThroughMs: daysAgo(10),
};
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
const holdsAll = { holds: async () => true } as unknown as ArchiveIndex;

describe('carryOut: one planned delete', () => {
  it('past the deadline: not reached, and nothing is called', async () => {
    const { deps, sent } = depsFor(() => ({}), { remainingMs: 0 });
    await expect(carryOut(deps, config, GROUP, deletePlan, state, holdsAll, daysAgo(7))).resolves.toEqual({
      logGroupName: GROUP,
      logStreamName: 'old',
      action: 'delete',
      outcome: 'deadline',
      detail: 'not reached before the deadline',
    });
    expect(sent).toEqual([]);
  });

  it('a stream someone else deleted first is done, "already gone"; one it deleted has no detail', async () => {
    const gone = Object.assign(new Error('The specified log stream does not exist.'), {
      name: 'ResourceNotFoundException',
    });
    const first = depsFor((name) => (name === 'DeleteLogStream' ? gone : {}));
    await expect(carryOut(first.deps, config, GROUP, deletePlan, state, holdsAll, daysAgo(7))).resolves.toEqual({
      logGroupName: GROUP,
      logStreamName: 'old',
      action: 'delete',
      outcome: 'done',
      detail: 'already gone',
    });
    const second = depsFor(() => ({}));
    const done = await carryOut(second.deps, config, GROUP, deletePlan, state, holdsAll, daysAgo(7));
    expect(done).toEqual({ logGroupName: GROUP, logStreamName: 'old', action: 'delete', outcome: 'done' });
    expect(second.sent.map((c) => c.name)).toEqual(['DeleteLogStream']);
  });

  it('an action that throws is the stream\'s "failed" result, logged with the group and the stream', async () => {
    const broken = { holds: async () => Promise.reject(new Error('S3 is down')) } as unknown as ArchiveIndex;
    const { deps, sent, logged } = depsFor(() => ({}));
    await expect(carryOut(deps, config, GROUP, deletePlan, state, broken, daysAgo(7))).resolves.toEqual({
      logGroupName: GROUP,
      logStreamName: 'old',
      action: 'delete',
      outcome: 'failed',
      detail: 'S3 is down',
    });
    expect(sent).toEqual([]);
    const line = logged.find((l) => l.msg === 'stream action failed');
    expect(line).toMatchObject({ level: 'error', logGroupName: GROUP, logStreamName: 'old' });
    expect(JSON.stringify(line?.err)).toContain('S3 is down');
  });
});

describe('applyRetention: PutRetentionPolicy only when safe, archived and different', () => {
  const planWith = (retention: GroupPlan['retention']) =>
    ({ logGroupName: GROUP, ...(retention ? { retention } : {}) }) as unknown as GroupPlan;
  const change = { currentDays: 30, targetDays: 7, safe: true, detail: '30 → 7 days' };

  it("unsafe: skipped with the plan's reason, no call", async () => {
    const { deps, sent } = depsFor(() => ({}));
    const unsafe = { ...change, safe: false, detail: 'would expire events not yet archived' };
    await expect(applyRetention(deps, planWith(unsafe), true)).resolves.toEqual({
      days: 7,
      outcome: 'skipped',
      detail: 'would expire events not yet archived',
    });
    expect(sent).toEqual([]);
  });

  it('the archive not verified up to date by this run: skipped, no call', async () => {
    const { deps, sent } = depsFor(() => ({}));
    await expect(applyRetention(deps, planWith(change), false)).resolves.toEqual({
      days: 7,
      outcome: 'skipped',
      detail: 'the archive is not verified up to date; retention left as it is',
    });
    expect(sent).toEqual([]);
  });

  it("already the target: unchanged with the plan's detail, no call", async () => {
    const { deps, sent } = depsFor(() => ({}));
    const same = { ...change, currentDays: 7, detail: 'already 7 days' };
    await expect(applyRetention(deps, planWith(same), true)).resolves.toEqual({
      days: 7,
      outcome: 'unchanged',
      detail: 'already 7 days',
    });
    expect(sent).toEqual([]);
  });

  it('otherwise set, with the group and the days', async () => {
    const { deps, sent } = depsFor(() => ({}));
    await expect(applyRetention(deps, planWith(change), true)).resolves.toEqual({
      days: 7,
      outcome: 'set',
      detail: '30 → 7 days',
    });
    expect(sent).toEqual([{ name: 'PutRetentionPolicy', input: { logGroupName: GROUP, retentionInDays: 7 } }]);
    await expect(applyRetention(deps, planWith(undefined), true)).resolves.toBeUndefined();
  });
});
