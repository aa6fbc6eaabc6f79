/**
 * One group's listing (src/execute/trimPages.ts) as a run drives it against the sandbox: a saved
 * position DescribeLogStreams refuses, a listing that fails, the deadline in the middle of a group,
 * the position saved every 20 pages, and another run taking the group's lock while it is listed.
 */
import { describe, expect, it } from 'vitest';
import { acquireGroupLock } from '../../src/archive/groupLock.js';
import { createLogger } from '../../src/logger.js';
import { runCwlTrim } from '../../src/run.js';
import type { Config } from '../../src/types.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { BUCKET, MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { workCalls } from '../helpers/lockCalls.js';
import { HOUR, NOW, useRunSandbox } from '../helpers/scenario.js';

const GROUP = '/app/big';
const CURSOR_KEY = 'cwl-archive/state/cursors/~app~big.json';

/** `expired` streams written 30 to 25 days ago (each a delete), and one current stream. */
function seedGroup(sandbox: Sandbox, expired: number): void {
  sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
  for (let i = 0; i < expired; i += 1) {
    const name = `expired-${String(i).padStart(4, '0')}`;
    sandbox.seedStream(GROUP, name, history(name, NOW - 30 * MS_PER_DAY, NOW - 25 * MS_PER_DAY, 24 * HOUR));
  }
  sandbox.seedStream(GROUP, 'zz-current', history('current', NOW - 2 * MS_PER_DAY, NOW - HOUR, 4 * HOUR));
}

/** `count` current streams named before the expired ones: the group's first pages, nothing to act on. */
function seedKept(sandbox: Sandbox, count: number, from = 0): void {
  for (let i = from; i < from + count; i += 1) {
    const name = `a-kept-${String(i).padStart(4, '0')}`;
    sandbox.seedStream(GROUP, name, [{ timestamp: NOW - 2 * MS_PER_DAY, message: name }]);
  }
}

/** The time is up once the run has made `pages` listing calls since it started. */
const outOfTimeAfter = (sandbox: Sandbox, pages: number) => {
  const before = listings(sandbox).length;
  return { remainingMs: () => (listings(sandbox).length - before >= pages ? 0 : 600_000) };
};

/** PutObject and DeleteObject calls on the group's saved listing position. */
const cursorWrites = (sandbox: Sandbox): string[] =>
  workCalls(sandbox)
    .filter((c) => (c.input as { Key?: string }).Key === CURSOR_KEY && c.operation !== 'GetObject')
    .map((c) => c.operation);

interface SavedCursor {
  readonly nextToken: string;
  readonly streamsBefore: number;
  readonly weightBefore: number;
}

const savedCursor = (sandbox: Sandbox): SavedCursor | undefined => {
  const [cursor] = sandbox.objects(BUCKET, CURSOR_KEY);
  return cursor ? (JSON.parse(cursor.body.toString('utf8')) as SavedCursor) : undefined;
};

const plantCursor = (sandbox: Sandbox, nextToken: string, streamsBefore = 100): void => {
  const body = { schemaVersion: 1, logGroupName: GROUP, nextToken, savedAtMs: NOW, streamsBefore, weightBefore: 1 };
  sandbox.seedObjects(BUCKET, [{ key: CURSOR_KEY, body: Buffer.from(JSON.stringify(body)) }]);
};

/** DescribeLogStreams calls that list the group (not the look ordered by LastEventTime), with their token. */
const listings = (sandbox: Sandbox): (string | undefined)[] =>
  workCalls(sandbox)
    .filter((c) => c.operation === 'DescribeLogStreams' && (c.input as { orderBy?: string }).orderBy === undefined)
    .map((c) => (c.input as { nextToken?: string }).nextToken);

describe('the listing of one group', () => {
  let sandbox: Sandbox;
  useRunSandbox((s) => {
    sandbox = s;
  });

  const run = (overrides: Partial<Config> = {}, deps: Parameters<typeof testDeps>[2] = {}) => {
    const config = testConfig(sandbox, { days: 7, ...overrides });
    return runCwlTrim(config, testDeps(sandbox, config, deps));
  };

  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'debug',
      runId: 't',
      destination: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
    });
    return { lines, logger };
  };

  const staleWarning = 'the saved listing position is no longer valid; listing the group from the start';

  it('a saved position DescribeLogStreams refuses lists the group from the start once, says so, and acts on every stream', async () => {
    seedGroup(sandbox, 60); // two pages of 50
    plantCursor(sandbox, 'not-a-token');
    const { lines, logger } = capture();
    const out = await run({}, { logger });
    expect(out.result?.groups[0]?.error).toBeUndefined();
    expect(sandbox.streamNames(GROUP)).toEqual(['zz-current']);
    expect(lines.filter((l) => l.level === 'warn' && l.msg === staleWarning)).toEqual([
      expect.objectContaining({ logGroupName: GROUP }),
    ]);
    expect(listings(sandbox)[0]).toBe('not-a-token');
  });

  it('a saved position in a group the look read whole is still listed from that position, not from the look', async () => {
    seedGroup(sandbox, 3);
    expect((await run()).result?.outcome).toBe('done');
    // Nothing to export now: the look's page stands for the whole group, but a saved position comes first.
    plantCursor(sandbox, 'not-a-token', 1);
    sandbox.clearCalls();
    const { lines, logger } = capture();
    const out = await run({}, { logger });
    expect(out.result?.groups[0]?.error).toBeUndefined();
    expect(listings(sandbox)[0]).toBe('not-a-token');
    expect(lines.filter((l) => l.msg === staleWarning)).toHaveLength(1);
    expect(sandbox.streamNames(GROUP)).toEqual(['zz-current']);
  });

  it('a listing that fails otherwise is the group’s error: not a listing left, not listed again from the start', async () => {
    seedGroup(sandbox, 60);
    const denied = { name: 'AccessDeniedException', message: 'not allowed to logs:DescribeLogStreams', status: 400 };
    let armed = false;
    // The fault is armed once the export is done, so that it hits the listing, not the look.
    const remainingMs = (): number => {
      if (!armed && sandbox.countCalls('CreateExportTask') > 0) {
        armed = true;
        sandbox.injectFault({ operation: 'DescribeLogStreams', times: 50, error: denied });
      }
      return 600_000;
    };
    const out = await run({}, { deadline: { remainingMs } });
    const group = out.result?.groups[0];
    expect(group?.error).toBe('AccessDeniedException: not allowed to logs:DescribeLogStreams');
    expect(group?.listingLeft).toBeUndefined();
    expect(listings(sandbox)).toHaveLength(1);
    expect(sandbox.streamNames(GROUP)).toHaveLength(61);
  });

  it('a listing that fails once is not retried as if its position were stale', async () => {
    seedGroup(sandbox, 60);
    let armed = false;
    const remainingMs = (): number => {
      if (!armed && sandbox.countCalls('CreateExportTask') > 0) {
        armed = true;
        sandbox.injectFault({
          operation: 'DescribeLogStreams',
          error: { name: 'AccessDeniedException', message: 'not allowed', status: 400 },
        });
      }
      return 600_000;
    };
    const out = await run({}, { deadline: { remainingMs } });
    expect(out.result?.groups[0]?.error).toBe('AccessDeniedException: not allowed');
    expect(listings(sandbox)).toHaveLength(1);
    expect(sandbox.streamNames(GROUP)).toHaveLength(61);
  });

  it('the deadline in the middle of a group saves the first page with actions left; the next run goes on from it, then clears it', async () => {
    seedGroup(sandbox, 100);
    seedKept(sandbox, 50); // page 1: nothing to act on; pages 2 and 3: deletes; page 4: the current stream
    const first = await run({}, { deadline: outOfTimeAfter(sandbox, 2) });
    expect(first.result?.groups[0]).toMatchObject({ listingLeft: true, listingAdvanced: true, pagesListed: 2 });
    expect(first.result?.groups[0]?.error).toBeUndefined();
    const pageTwo = listings(sandbox)[1];
    expect(pageTwo).toEqual(expect.any(String));
    expect(savedCursor(sandbox)).toMatchObject({ nextToken: pageTwo, streamsBefore: 50 });
    expect(sandbox.streamNames(GROUP)).toHaveLength(151);

    // A resumed run that acts on nothing before the deadline does not move the position: no headway.
    sandbox.clearCalls();
    const stuck = await run({}, { deadline: outOfTimeAfter(sandbox, 1) });
    expect(listings(sandbox)[0]).toBe(pageTwo);
    expect(stuck.result?.groups[0]).toMatchObject({ listingLeft: true, pagesListed: 1 });
    expect(stuck.result?.groups[0]?.listingAdvanced).toBeUndefined();
    expect(savedCursor(sandbox)).toMatchObject({ nextToken: pageTwo, streamsBefore: 50 });

    sandbox.clearCalls();
    const last = await run();
    expect(listings(sandbox)).toEqual([pageTwo, expect.any(String), expect.any(String)]);
    expect(last.result?.groups[0]).toMatchObject({ pagesListed: 3, listingAdvanced: true });
    expect(last.result?.groups[0]?.listingLeft).toBeUndefined();
    expect(savedCursor(sandbox)).toBeUndefined();
    // Fewer than 20 pages: the position is not saved on the way, only cleared once the listing is done.
    expect(cursorWrites(sandbox)).toEqual(['DeleteObject']);
    expect(sandbox.streamNames(GROUP)).toHaveLength(51);
  });

  it('the deadline on the first page, its actions left, saves no position: the next run lists from the start', async () => {
    seedGroup(sandbox, 60);
    const out = await run({}, { deadline: outOfTimeAfter(sandbox, 1) });
    expect(out.result?.groups[0]).toMatchObject({ listingLeft: true, pagesListed: 1 });
    expect(cursorWrites(sandbox)).toEqual([]);
    expect(sandbox.streamNames(GROUP)).toHaveLength(61);
  });

  it('a dry run the deadline stops in the middle of a group saves no position', async () => {
    seedGroup(sandbox, 100);
    seedKept(sandbox, 50);
    expect((await run()).result?.outcome).toBe('done');
    seedGroup(sandbox, 100);
    sandbox.clearCalls();
    const out = await run({ dryRun: true }, { deadline: outOfTimeAfter(sandbox, 2) });
    expect(out.plan.groups[0]?.logGroupName).toBe(GROUP);
    expect(listings(sandbox)).toHaveLength(2);
    expect(cursorWrites(sandbox)).toEqual([]);
  });

  it('the position is saved every 20 pages of a real run, whatever the pages hold, and cleared once the listing is done', async () => {
    seedGroup(sandbox, 0);
    seedKept(sandbox, 999); // with the current stream, 20 full pages: the 20th is the last
    const whole = await run();
    expect(whole.result?.groups[0]).toMatchObject({ pagesListed: 20 });
    expect(whole.result?.groups[0]?.error).toBeUndefined();
    // The 20th page is the last: there is no position past it to save, only the clearing.
    expect(cursorWrites(sandbox)).toEqual(['DeleteObject']);

    seedKept(sandbox, 50, 999); // 21 pages
    sandbox.clearCalls();
    const longer = await run();
    expect(longer.result?.groups[0]).toMatchObject({ pagesListed: 21 });
    expect(cursorWrites(sandbox)).toEqual(['PutObject', 'DeleteObject']);
    expect(savedCursor(sandbox)).toBeUndefined();

    // Out of time before the 21st page: the position past the 20 pages read, with their weight.
    const cut = await run({}, { deadline: outOfTimeAfter(sandbox, 20) });
    expect(cut.result?.groups[0]).toMatchObject({ listingLeft: true, pagesListed: 20 });
    const at = savedCursor(sandbox);
    expect(at).toMatchObject({ streamsBefore: 1000, weightBefore: expect.any(Number) });
    expect(at?.weightBefore).toBeGreaterThan(0);
    sandbox.clearCalls();
    const rest = await run();
    expect(listings(sandbox)).toEqual([at?.nextToken]);
    expect(rest.result?.groups[0]).toMatchObject({ pagesListed: 1, listingAdvanced: true });
    expect(savedCursor(sandbox)).toBeUndefined();

    sandbox.clearCalls();
    await run({ dryRun: true });
    expect(listings(sandbox)).toHaveLength(21);
    expect(cursorWrites(sandbox)).toEqual([]);
  });

  it('another run taking the group’s lock at its first stream action stops the listing there: the group says who holds it', async () => {
    seedGroup(sandbox, 120); // three pages of deletes and the current stream
    // A first run exports the group and runs out of time before any delete.
    expect((await run({}, { deadline: outOfTimeAfter(sandbox, 1) })).result?.groups[0]?.listingLeft).toBe(true);
    const config = testConfig(sandbox, { days: 7 });
    const taken = await acquireGroupLock(testDeps(sandbox, config, { runId: 'other' }), GROUP, {
      renewEveryMs: 0,
      monotonicMs: () => 0,
    });
    expect(taken.acquired).toBe(true);
    sandbox.clearCalls();
    const out = await run();
    expect(out.result?.groups[0]).toEqual({
      logGroupName: GROUP,
      exports: [],
      streams: [],
      lockedBy: expect.stringMatching(/^cwl-trim run other on .* holds \/app\/big /),
    });
    expect(listings(sandbox)).toHaveLength(1);
    expect(sandbox.streamNames(GROUP)).toHaveLength(121);
  });
});
