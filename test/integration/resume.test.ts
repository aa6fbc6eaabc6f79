/**
 * A group larger than one invocation can list, and a fleet larger than one invocation can walk: each
 * invocation saves where it stopped, the next carries on from there (no listing from the start), and
 * the chain of continuations ends with every event where it belongs.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { createHandler, type HandlerSummary, type LambdaContext } from '../../src/handler.js';
import { createLogger } from '../../src/logger.js';
import { createSandboxClock, startSandbox, type Sandbox, type SeedEvent } from '@cwl-trim/sandbox';
import { expectNothingLost, invocations, type Seeded } from '../deploy/backlog.js';
import { BUCKET, MS_PER_DAY, history, scaledQuotas } from '../helpers/runHarness.js';
import { TEST_CREDENTIALS, sandboxClients } from '@cwl-trim/sandbox/testing';
import { countWork, workCalls } from '../helpers/lockCalls.js';

const NOW = Date.UTC(2026, 10, 21, 12);
const HOUR = 3_600_000;
const GROUP = '/app/big';
const FUNCTION_NAME = 'cwl-trim-resume';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ quotasTps: false, clock: createSandboxClock(NOW) });
});
afterAll(async () => {
  await sandbox.stop();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.clock.set(NOW);
  sandbox.createBucket(BUCKET);
});

/** `expired` streams wholly older than 20 days, and one current stream. */
function seedBigGroup(expired: number): Seeded {
  const seeded: Seeded = new Map();
  sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 40 * MS_PER_DAY });
  const add = (stream: string, events: SeedEvent[]): void => {
    sandbox.seedStream(GROUP, stream, events);
    seeded.set(`${GROUP}|${stream}`, events);
  };
  for (let i = 0; i < expired; i += 1) {
    const start = NOW - 30 * MS_PER_DAY + i * 60_000;
    add(`2026/10/22/[$LATEST]${String(i).padStart(5, '0')}`, history(`s${i}`, start, start + 3 * HOUR, HOUR));
  }
  add('current', history('current', NOW - 2 * MS_PER_DAY, NOW - 20 * HOUR, 4 * HOUR));
  return seeded;
}

/** DescribeLogStreams calls that list a group (not the one-stream look ordered by LastEventTime). */
const listingCalls = (): number =>
  workCalls(sandbox).filter(
    (c) => c.operation === 'DescribeLogStreams' && (c.input as { orderBy?: string }).orderBy === undefined,
  ).length;

function testHandler(env: Record<string, string> = {}) {
  return createHandler({
    env: {
      DAYS: '7',
      BUCKET,
      LOG_GROUP_PREFIXES: '/app/',
      AWS_REGION: sandbox.region,
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
      ...env,
    },
    clients: (config) => createClients(config, { credentials: TEST_CREDENTIALS }),
    deps: {
      clock: sandbox.clock,
      logger: createLogger({ level: 'silent', runId: 'test' }),
      exportPoll: { initialMs: 5, maxMs: 20, factor: 1.5 },
      exportSlot: { initialMs: 5, maxMs: 20, factor: 1.5 },
      retry: { retries: 5, minTimeoutMs: 5, maxTimeoutMs: 20 },
      quotasTps: scaledQuotas(50),
    },
    deadlineMarginMs: 0,
  });
}

/** An invocation whose time is up once it has made `pages` listing calls of its own. */
function outOfTimeAfterPages(pages: number): LambdaContext {
  const before = listingCalls();
  return {
    functionName: FUNCTION_NAME,
    awsRequestId: 'req',
    getRemainingTimeInMillis: () => (listingCalls() - before >= pages ? 0 : 600_000),
  };
}

/** Invokes the handler as Lambda would, following each continuation it starts, up to `max` invocations. */
async function chain(
  handler: ReturnType<typeof testHandler>,
  context: () => LambdaContext,
  max: number,
): Promise<HandlerSummary[]> {
  const summaries: HandlerSummary[] = [];
  let event: unknown = {};
  for (let i = 0; i < max; i += 1) {
    const seen = invocations(sandbox).length;
    const summary = await handler(event, context());
    summaries.push(summary);
    if (!summary.next.invoked) break;
    event = invocations(sandbox)[seen]!.payload;
  }
  return summaries;
}

const cursorKey = 'cwl-archive/state/cursors/~app~big.json';

describe('resuming a listing the deadline cut short', () => {
  it('saves where the listing stopped, and the next invocation goes on from there instead of listing from the start', {
    timeout: 120_000,
  }, async () => {
    const seeded = seedBigGroup(600); // 13 pages of 50
    const handler = testHandler();

    const first = await handler({}, outOfTimeAfterPages(5));

    expect(first).toMatchObject({ outcome: 'partial', deadlineReached: true, progress: true, next: { invoked: true } });
    const [cursor] = sandbox.objects(BUCKET, cursorKey);
    const saved = JSON.parse(cursor!.body.toString('utf8')) as { nextToken: string; streamsBefore: number };
    expect(saved.streamsBefore).toBeGreaterThanOrEqual(150);
    expect(sandbox.streamNames(GROUP).length).toBeLessThanOrEqual(601 - saved.streamsBefore);

    const listedFirst = listingCalls();
    const [continuation] = invocations(sandbox);
    const second = await handler(continuation!.payload, outOfTimeAfterPages(100));

    expect(second).toMatchObject({ outcome: 'done', next: { invoked: false, reason: 'nothing left to do' } });
    // Only the pages from the cursor on were listed again: 13 pages in all, plus the ones the deadline left open.
    expect(listedFirst + (listingCalls() - listedFirst)).toBeLessThanOrEqual(13 + 2);
    expect(listingCalls() - listedFirst).toBeLessThanOrEqual(13 - saved.streamsBefore / 50 + 1);
    expect(sandbox.objects(BUCKET, cursorKey)).toEqual([]);
    expect(sandbox.streamNames(GROUP)).toEqual(['current']);
    expectNothingLost(sandbox, seeded, NOW - 7 * MS_PER_DAY);
  });

  // Hundreds of real HTTP calls: a generous bound against a hang on a loaded machine, not a timing test.
  it('drains a group no invocation can list alone through a chain of continuations: nothing lost, nothing twice', {
    timeout: 120_000,
  }, async () => {
    const seeded = seedBigGroup(500); // 11 pages of 50
    const handler = testHandler();

    const summaries = await chain(handler, () => outOfTimeAfterPages(3), 20);

    expect(summaries.at(-1)).toMatchObject({ outcome: 'done', next: { invoked: false, reason: 'nothing left to do' } });
    expect(summaries.length).toBeGreaterThan(3);
    expect(summaries.slice(0, -1).every((s) => s.next.invoked && s.progress)).toBe(true);
    // Every page is listed about once over the whole chain: one page again per invocation at most.
    expect(listingCalls()).toBeLessThanOrEqual(11 + summaries.length);
    expect(sandbox.streamNames(GROUP)).toEqual(['current']);
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(500);
    expectNothingLost(sandbox, seeded, NOW - 7 * MS_PER_DAY);
  });
});

describe('a saved listing position that no longer works', () => {
  it('lists the group from the start when DescribeLogStreams refuses the saved token, and when the cursor does not parse', async () => {
    const seeded = seedBigGroup(120);
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    const stale = {
      schemaVersion: 1,
      logGroupName: GROUP,
      nextToken: 'not-a-token',
      savedAtMs: NOW,
      streamsBefore: 100,
      weightBefore: 1,
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: cursorKey, Body: JSON.stringify(stale) }));

    const first = await testHandler()({}, outOfTimeAfterPages(100));

    expect(first).toMatchObject({ outcome: 'done' });
    expect(sandbox.streamNames(GROUP)).toEqual(['current']);
    expectNothingLost(sandbox, seeded, NOW - 7 * MS_PER_DAY);

    seedBigGroup(60);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: cursorKey, Body: '{"schemaVersion": 1, "nextTok' }));
    destroy();
    const second = await testHandler()({}, outOfTimeAfterPages(100));

    expect(second).toMatchObject({ outcome: 'done' });
    expect(sandbox.streamNames(GROUP)).toEqual(['current']);
  });
});

describe('walking a fleet the deadline cuts short', () => {
  it('stops the walk at the deadline, saves the last finished group, and the next run starts after it', async () => {
    for (let i = 0; i < 120; i += 1)
      sandbox.seedGroup(`/app/g${String(i).padStart(3, '0')}`, { creationTimeMs: NOW - 40 * MS_PER_DAY });
    const handler = testHandler();
    // The deadline comes once the walk has read its second page of groups.
    const first = await handler(
      {},
      {
        functionName: FUNCTION_NAME,
        awsRequestId: 'req',
        getRemainingTimeInMillis: () => (countWork(sandbox, 'DescribeLogGroups') >= 2 ? 0 : 600_000),
      },
    );

    expect(first).toMatchObject({ outcome: 'partial', deadlineReached: true });
    const [fleet] = sandbox.objects(BUCKET, 'cwl-archive/state/cursors/fleet.json');
    const after = (JSON.parse(fleet!.body.toString('utf8')) as { afterGroupName: string }).afterGroupName;
    // The walk read 50 groups before the deadline; the last few were still at work when it came.
    expect(after >= '/app/g040').toBe(true);
    expect(after < '/app/g119').toBe(true);

    sandbox.clearCalls();
    const second = await handler(
      {},
      { functionName: FUNCTION_NAME, awsRequestId: 'req2', getRemainingTimeInMillis: () => 600_000 },
    );

    expect(second.outcome).toBe('done');
    const visited = workCalls(sandbox)
      .filter((c) => c.operation === 'DescribeLogStreams')
      .map((c) => (c.input as { logGroupName: string }).logGroupName);
    expect(visited.length).toBeGreaterThan(0);
    expect(visited.every((name) => name > after)).toBe(true);
    expect(sandbox.objects(BUCKET, 'cwl-archive/state/cursors/fleet.json')).toEqual([]);
  });

  it('resumes the walk from the saved page of groups, not from the first; a page token no longer taken lists from the start', async () => {
    for (let i = 0; i < 160; i += 1)
      sandbox.seedGroup(`/app/g${String(i).padStart(3, '0')}`, { creationTimeMs: NOW - 40 * MS_PER_DAY });
    const handler = testHandler();
    const cut = (pages: number) => ({
      functionName: FUNCTION_NAME,
      awsRequestId: 'req',
      getRemainingTimeInMillis: () => (countWork(sandbox, 'DescribeLogGroups') >= pages ? 0 : 600_000),
    });
    // The deadline comes once the walk has read its third page of groups.
    expect(await handler({}, cut(3))).toMatchObject({ outcome: 'partial', deadlineReached: true });
    const cursorKey = 'cwl-archive/state/cursors/fleet.json';
    const saved = JSON.parse(sandbox.objects(BUCKET, cursorKey)[0]!.body.toString('utf8')) as {
      afterGroupName: string;
      itemKey?: string;
      pageToken?: string;
    };
    expect(saved.afterGroupName >= '/app/g050').toBe(true);
    expect(saved).toMatchObject({ itemKey: 'prefix:/app/', pageToken: expect.any(String) });

    // The next invocation's first DescribeLogGroups asks for the saved page: the pages before it are not read again.
    sandbox.clearCalls();
    expect(await handler({}, cut(1))).toMatchObject({ outcome: 'partial' });
    const firstList = workCalls(sandbox).find((c) => c.operation === 'DescribeLogGroups');
    expect((firstList!.input as { nextToken?: string }).nextToken).toBe(saved.pageToken);

    // A token DescribeLogGroups no longer takes: the walk lists from the first page, and still starts after the cursor.
    const now = JSON.parse(sandbox.objects(BUCKET, cursorKey)[0]!.body.toString('utf8')) as { afterGroupName: string };
    const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: cursorKey,
        Body: JSON.stringify({ ...now, pageToken: 'bm90LWEtdG9rZW4' }),
      }),
    );
    destroy();
    sandbox.clearCalls();
    const last = await handler(
      {},
      { functionName: FUNCTION_NAME, awsRequestId: 'req3', getRemainingTimeInMillis: () => 600_000 },
    );
    expect(last.outcome).toBe('done');
    const visited = workCalls(sandbox)
      .filter((c) => c.operation === 'DescribeLogStreams')
      .map((c) => (c.input as { logGroupName: string }).logGroupName);
    expect(visited.length).toBeGreaterThan(0);
    expect(visited.every((name) => name > now.afterGroupName)).toBe(true);
    expect(visited).toContain('/app/g159');
  });
});
