/**
 * The sandbox pages from sorted indexes (sandbox/src/sortedIndex.ts). These tests hold every page and
 * every token against the reference it replaced (sort the whole group or bucket, then find the token's
 * place), while streams, objects and groups are created, deleted and written to between pages.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../src/random.js';
import { createSandboxClock } from '../src/clock.js';
import { describeLogGroups } from '../src/logs/groups.js';
import { putLogEvents } from '../src/logs/putLogEvents.js';
import { createLogStream, deleteLogStream, describeLogStreams } from '../src/logs/streams.js';
import { listObjectsV2 } from '../src/s3/buckets.js';
import type { S3Request } from '../src/s3/request.js';
import { addBucket, writeObject } from '../src/s3/store.js';
import { seedGroup, seedStream, seedStreams } from '../src/seed.js';
import { createState } from '../src/state.js';
import type { LogStream, SandboxState } from '../src/state.js';
import { Timers } from '../src/timers.js';

const NOW = Date.parse('2026-11-20T00:00:00.000Z');

function newState(): SandboxState {
  return createState({
    region: 'us-east-1',
    accountId: '123456789012',
    clock: createSandboxClock(NOW, { frozen: true }),
    timers: new Timers(),
    exportTiming: { pendingMs: 0, runningMs: 0 },
    exportChunkEvents: 1000,
  });
}

const encode = (key: unknown): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const lastMs = (s: LogStream): number => s.events.at(-1)?.timestamp ?? 0;

/** The page the sandbox gave before it had indexes: sort everything, find the token, slice. */
function referenceStreamPage(
  state: SandboxState,
  q: { orderBy: string; descending: boolean; prefix?: string; limit: number; token?: string },
) {
  const group = state.groups.get('g')!;
  const sign = q.descending ? -1 : 1;
  const keyOf = (s: LogStream): [number, string] => [q.orderBy === 'LastEventTime' ? lastMs(s) : 0, s.name];
  const compare = (a: [number, string], b: [number, string]): number => sign * (a[0] - b[0] || byCodeUnit(a[1], b[1]));
  const sorted = [...group.streams.values()]
    .filter((s) => q.prefix === undefined || s.name.startsWith(q.prefix))
    .sort((a, b) => compare(keyOf(a), keyOf(b)));
  let start = 0;
  if (q.token !== undefined) {
    const key = JSON.parse(Buffer.from(q.token, 'base64url').toString('utf8')) as [number, string];
    start = sorted.findIndex((s) => compare(keyOf(s), key) > 0);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + q.limit);
  const last = page.at(-1);
  const nextToken = last === undefined || start + q.limit >= sorted.length ? undefined : encode(keyOf(last));
  return { names: page.map((s) => s.name), nextToken };
}

function indexedStreamPage(
  state: SandboxState,
  q: { orderBy: string; descending: boolean; prefix?: string; limit: number; token?: string },
) {
  const res = describeLogStreams(state, {
    logGroupName: 'g',
    orderBy: q.orderBy,
    descending: q.descending,
    limit: q.limit,
    ...(q.prefix !== undefined && { logStreamNamePrefix: q.prefix }),
    ...(q.token !== undefined && { nextToken: q.token }),
  }) as { logStreams: { logStreamName: string }[]; nextToken?: string };
  return { names: res.logStreams.map((s) => s.logStreamName), nextToken: res.nextToken };
}

/** Random changes between pages: new streams, deleted ones, newer events in old ones. */
function churn(state: SandboxState, r: () => number, n: number): void {
  const group = state.groups.get('g')!;
  for (let k = 0; k < n; k++) {
    const names = [...group.streams.keys()];
    const roll = r();
    const name = names[Math.floor(r() * names.length)];
    if (roll < 0.35 && name !== undefined) deleteLogStream(state, { logGroupName: 'g', logStreamName: name });
    else if (roll < 0.6) {
      const fresh = `s${Math.floor(r() * 400)}`;
      if (!group.streams.has(fresh)) createLogStream(state, { logGroupName: 'g', logStreamName: fresh });
    } else if (name !== undefined) {
      const ts = NOW - Math.floor(r() * 3) * 60_000;
      putLogEvents(state, { logGroupName: 'g', logStreamName: name, logEvents: [{ timestamp: ts, message: 'late' }] });
    }
  }
}

describe('DescribeLogStreams from the sorted indexes', () => {
  const cases = [
    { orderBy: 'LogStreamName', descending: false },
    { orderBy: 'LogStreamName', descending: true },
    { orderBy: 'LogStreamName', descending: false, prefix: 's1' },
    { orderBy: 'LogStreamName', descending: true, prefix: 's2' },
    { orderBy: 'LastEventTime', descending: false },
    { orderBy: 'LastEventTime', descending: true },
  ];
  it.each(cases)('gives the reference pages and tokens (%o) while the group changes between pages', (c) => {
    const r = seededRandom(3);
    const state = newState();
    seedGroup(state, 'g');
    for (let i = 0; i < 300; i++) {
      // Few distinct times, so equal last-event times are ordered by name.
      const events = i % 7 === 0 ? [] : [{ timestamp: NOW - (1 + Math.floor(r() * 20)) * 3_600_000, message: `e${i}` }];
      if (events.length === 0) createLogStream(state, { logGroupName: 'g', logStreamName: `s${i}` });
      else seedStream(state, 'g', `s${i}`, events);
    }
    let pages = 0;
    for (const limit of [1, 7, 50]) {
      let token: string | undefined;
      do {
        const q = { ...c, limit, ...(token !== undefined && { token }) };
        const expected = referenceStreamPage(state, q);
        expect(indexedStreamPage(state, q)).toEqual(expected);
        token = expected.nextToken;
        churn(state, r, 3);
        pages++;
      } while (token !== undefined);
    }
    expect(pages).toBeGreaterThan(20);
  });

  it('takes a token from the other order as the whole-list comparison did', () => {
    const state = newState();
    for (let i = 0; i < 10; i++) seedStream(state, 'g', `s${i}`, [{ timestamp: NOW - i * 1000, message: 'x' }]);
    const lastEventToken = encode([NOW - 5000, 's5']);
    const q = { orderBy: 'LogStreamName', descending: false, limit: 50, token: lastEventToken };
    expect(indexedStreamPage(state, q)).toEqual(referenceStreamPage(state, q));
    const nameToken = encode([0, 's5']);
    const q2 = { orderBy: 'LastEventTime', descending: true, limit: 50, token: nameToken };
    expect(indexedStreamPage(state, q2)).toEqual(referenceStreamPage(state, q2));
  });

  it('moves a stream in LastEventTime order when PutLogEvents gives it a newer last event', () => {
    const state = newState();
    seedStream(state, 'g', 'a', [{ timestamp: NOW - 3_000, message: 'x' }]);
    seedStream(state, 'g', 'b', [{ timestamp: NOW - 2_000, message: 'x' }]);
    const order = (): string[] =>
      indexedStreamPage(state, { orderBy: 'LastEventTime', descending: false, limit: 50 }).names;
    expect(order()).toEqual(['a', 'b']);
    putLogEvents(state, {
      logGroupName: 'g',
      logStreamName: 'a',
      logEvents: [{ timestamp: NOW - 1_000, message: 'y' }],
    });
    expect(order()).toEqual(['b', 'a']);
  });

  it('lists a stream deleted and created again once, and compacts after many deletes', () => {
    const state = newState();
    seedGroup(state, 'g');
    for (let i = 0; i < 3000; i++)
      createLogStream(state, { logGroupName: 'g', logStreamName: `s${String(i).padStart(4, '0')}` });
    expect(indexedStreamPage(state, { orderBy: 'LogStreamName', descending: false, limit: 2 }).names).toEqual([
      's0000',
      's0001',
    ]);
    for (let i = 0; i < 2990; i++)
      deleteLogStream(state, { logGroupName: 'g', logStreamName: `s${String(i).padStart(4, '0')}` });
    createLogStream(state, { logGroupName: 'g', logStreamName: 's0001' });
    const q = { orderBy: 'LogStreamName', descending: false, limit: 50 };
    expect(indexedStreamPage(state, q)).toEqual(referenceStreamPage(state, q));
    expect(indexedStreamPage(state, q).names).toHaveLength(11);
    expect(state.groups.get('g')!.streams.byName.keys().length).toBe(11);
  });
  it('merges many streams added at once after the index is built, each once, re-created ones too', () => {
    const state = newState();
    seedGroup(state, 'g');
    const name = (i: number): string => `s${String(i).padStart(4, '0')}`;
    for (let i = 0; i < 300; i += 1) createLogStream(state, { logGroupName: 'g', logStreamName: name(i) });
    indexedStreamPage(state, { orderBy: 'LogStreamName', descending: false, limit: 1 });
    for (let i = 0; i < 300; i += 3) deleteLogStream(state, { logGroupName: 'g', logStreamName: name(i) });
    for (let i = 0; i < 400; i += 3)
      if (!state.groups.get('g')!.streams.has(name(i)))
        createLogStream(state, { logGroupName: 'g', logStreamName: name(i) });
    const all: string[] = [];
    let token: string | undefined;
    do {
      const q = { orderBy: 'LogStreamName', descending: false, limit: 50, ...(token !== undefined && { token }) };
      const page = indexedStreamPage(state, q);
      expect(page).toEqual(referenceStreamPage(state, q));
      all.push(...page.names);
      token = page.nextToken;
    } while (token !== undefined);
    expect(all).toHaveLength(state.groups.get('g')!.streams.size);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('DescribeLogGroups from the sorted index', () => {
  it('gives the reference pages with a prefix and a pattern while groups come and go', () => {
    const r = seededRandom(5);
    const state = newState();
    for (let i = 0; i < 200; i++) seedGroup(state, `/aws/${i % 3 === 0 ? 'lambda' : 'ecs'}/fn-${i}`);
    const filters: { logGroupNamePrefix?: string; logGroupNamePattern?: string }[] = [
      {},
      { logGroupNamePrefix: '/aws/lambda/' },
      { logGroupNamePattern: 'FN-1' },
    ];
    for (const filter of filters) {
      let token: string | undefined;
      do {
        const all = [...state.groups.keys()].sort(byCodeUnit).filter((n) => {
          if (filter.logGroupNamePrefix !== undefined) return n.startsWith(filter.logGroupNamePrefix);
          if (filter.logGroupNamePattern !== undefined)
            return n.toLowerCase().includes(filter.logGroupNamePattern.toLowerCase());
          return true;
        });
        const after =
          token === undefined ? undefined : (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as string);
        const rest = after === undefined ? all : all.filter((n) => n > after);
        const res = describeLogGroups(state, {
          ...filter,
          limit: 13,
          ...(token !== undefined && { nextToken: token }),
        }) as {
          logGroups: { logGroupName: string }[];
          nextToken?: string;
        };
        expect(res.logGroups.map((g) => g.logGroupName)).toEqual(rest.slice(0, 13));
        expect(res.nextToken).toEqual(rest.length > 13 ? encode(rest[12]) : undefined);
        token = res.nextToken;
        const victim = [...state.groups.keys()][Math.floor(r() * state.groups.size)];
        if (victim !== undefined) state.groups.delete(victim);
        seedGroup(state, `/aws/lambda/fn-new-${Math.floor(r() * 1000)}`);
      } while (token !== undefined);
    }
  });
});

describe('ListObjectsV2 from the sorted index', () => {
  /** The listing it replaced: every key sorted, filtered, rolled up. */
  function referenceList(keys: readonly string[], prefix: string, delimiter: string, after: string, maxKeys: number) {
    const entries: { key?: string; commonPrefix?: string }[] = [];
    for (const key of [...keys].filter((k) => k.startsWith(prefix)).sort(byCodeUnit)) {
      if (key <= after) continue;
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut < 0) {
        entries.push({ key });
        continue;
      }
      const commonPrefix = key.slice(0, cut + delimiter.length);
      if (commonPrefix === after || entries.at(-1)?.commonPrefix === commonPrefix) continue;
      entries.push({ commonPrefix });
    }
    const page = entries.slice(0, maxKeys);
    const last = page.at(-1);
    return {
      keys: page.flatMap((e) => (e.key !== undefined ? [e.key] : [])),
      prefixes: page.flatMap((e) => (e.commonPrefix !== undefined ? [e.commonPrefix] : [])),
      next:
        entries.length > page.length && last
          ? Buffer.from(last.key ?? last.commonPrefix ?? '', 'utf8').toString('base64url')
          : undefined,
    };
  }

  function list(state: SandboxState, query: Record<string, string>) {
    const req = {
      bucket: 'b',
      query: new URLSearchParams(query),
      headers: {},
      body: Buffer.alloc(0),
    } as unknown as S3Request;
    const xml = (listObjectsV2(state, req) as { body: Buffer | string }).body.toString();
    const all = (tag: string): string[] =>
      [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);
    return {
      keys: all('Key'),
      prefixes: all('Prefix').slice(1),
      next: all('NextContinuationToken')[0],
    };
  }

  it.each([
    { prefix: '', delimiter: '' },
    { prefix: 'exports/', delimiter: '/' },
    { prefix: 'exports/t1/', delimiter: '' },
    { prefix: 'ex', delimiter: '/' },
  ])('gives the reference pages for %o while objects come and go', ({ prefix, delimiter }) => {
    const r = seededRandom(9);
    const state = newState();
    const bucket = addBucket(state, 'b');
    const put = (key: string): void => void writeObject(state, bucket, key, Buffer.from(key));
    for (let i = 0; i < 400; i++) put(`exports/t${Math.floor(r() * 6)}/stream-${Math.floor(r() * 1000)}/000000.gz`);
    for (let i = 0; i < 30; i++) put(`manifest-${i}.json`);
    for (const maxKeys of [1, 9, 1000]) {
      let token: string | undefined;
      do {
        const after = token === undefined ? '' : Buffer.from(token, 'base64url').toString('utf8');
        const expected = referenceList([...bucket.objects.keys()], prefix, delimiter, after, maxKeys);
        const got = list(state, {
          prefix,
          ...(delimiter !== '' && { delimiter }),
          'max-keys': String(maxKeys),
          ...(token !== undefined && { 'continuation-token': token }),
        });
        expect(got).toEqual(expected);
        token = got.next;
        const keys = [...bucket.objects.keys()];
        for (let k = 0; k < 3; k++) {
          if (r() < 0.5) bucket.objects.delete(keys[Math.floor(r() * keys.length)]!);
          else put(`exports/t${Math.floor(r() * 6)}/stream-${Math.floor(r() * 1000)}/000001.gz`);
        }
      } while (token !== undefined);
    }
  });
});

describe('seedStreams', () => {
  it('seeds many streams in one call and pages them in both orders at once', () => {
    const state = newState();
    seedGroup(state, 'g');
    const streams = function* () {
      for (let i = 0; i < 500; i++)
        yield {
          name: `s${String(i).padStart(3, '0')}`,
          events: [{ timestamp: NOW - (500 - i) * 1000, message: `m${i}` }],
        };
    };
    expect(seedStreams(state, 'g', streams())).toBe(500);
    const byName = indexedStreamPage(state, { orderBy: 'LogStreamName', descending: true, limit: 3 });
    expect(byName.names).toEqual(['s499', 's498', 's497']);
    const byTime = indexedStreamPage(state, { orderBy: 'LastEventTime', descending: false, limit: 2 });
    expect(byTime.names).toEqual(['s000', 's001']);
    expect(
      state.groups
        .get('g')!
        .streams.get('s010')!
        .events.map((e) => e.message),
    ).toEqual(['m10']);
  });
});
