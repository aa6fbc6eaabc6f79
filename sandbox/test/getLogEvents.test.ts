import {
  FilterLogEventsCommand,
  GetLogEventsCommand,
  paginateGetLogEvents,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { GetLogEventsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, describe, expect, it } from 'vitest';
const MS_PER_DAY = 86_400_000;
import { createSandboxClock } from '../src/index.js';
import { expectAwsError, useSandbox } from './helpers/sandboxHarness.js';

const T0 = Date.parse('2024-06-01T00:00:00.000Z');
const clock = createSandboxClock(T0, { frozen: true });
const h = useSandbox({ clock, quotasTps: false });

const get = (input: Partial<GetLogEventsCommandInput> = {}) =>
  h.logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', ...input }));

/** Reads forward from the head until the token repeats; returns every page. */
async function readAll(input: Partial<GetLogEventsCommandInput> = {}): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  for (;;) {
    const res = await get({ startFromHead: true, ...input, ...(token !== undefined && { nextToken: token }) });
    pages.push((res.events ?? []).map((e) => e.message ?? ''));
    if (res.nextForwardToken === token) return pages;
    token = res.nextForwardToken;
  }
}

beforeEach(() => {
  h.sandbox.seedStream(
    'g',
    's',
    Array.from({ length: 25 }, (_, i) => ({ timestamp: T0 - 25 * 1_000 + i * 1_000, message: `e${i}` })),
  );
});

describe('GetLogEvents paging', () => {
  it('reads forward page by page and ends by returning the token it was sent', async () => {
    const pages = await readAll({ limit: 10 });
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5, 0]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `e${i}`));
  });

  it('lets the SDK paginator stop on the repeated token (it needs stopOnSameToken: true, as on AWS)', async () => {
    const pages: number[] = [];
    const input = { logGroupName: 'g', logStreamName: 's', startFromHead: true, limit: 10 };
    for await (const page of paginateGetLogEvents({ client: h.logs, stopOnSameToken: true }, input)) {
      pages.push(page.events?.length ?? 0);
      expect(pages.length).toBeLessThan(10);
    }
    expect(pages).toEqual([10, 10, 5, 0]);
  });

  it('returns the same forward token again and again at the end', async () => {
    const first = await get({ startFromHead: true });
    const second = await get({ nextToken: first.nextForwardToken });
    const third = await get({ nextToken: second.nextForwardToken });
    expect(second.events).toEqual([]);
    expect(second.nextForwardToken).toBe(first.nextForwardToken);
    expect(third.nextForwardToken).toBe(first.nextForwardToken);
    expect(first.nextForwardToken).toMatch(/^f\//);
    expect(first.nextBackwardToken).toMatch(/^b\//);
  });

  it('sees events put after the end was reached on the next forward call', async () => {
    const end = await get({ startFromHead: true });
    await h.logs.send(
      new PutLogEventsCommand({
        logGroupName: 'g',
        logStreamName: 's',
        logEvents: [{ timestamp: T0, message: 'late' }],
      }),
    );
    const next = await get({ nextToken: end.nextForwardToken });
    expect(next.events?.map((e) => e.message)).toEqual(['late']);
  });

  it('without startFromHead returns the newest events, then pages backward', async () => {
    const last = await get({ limit: 10 });
    expect(last.events?.map((e) => e.message)).toEqual(Array.from({ length: 10 }, (_, i) => `e${15 + i}`));
    const before = await get({ limit: 10, nextToken: last.nextBackwardToken });
    expect(before.events?.map((e) => e.message)).toEqual(Array.from({ length: 10 }, (_, i) => `e${5 + i}`));
  });

  it('treats startTime as inclusive and endTime as exclusive', async () => {
    const res = await get({ startFromHead: true, startTime: T0 - 20_000, endTime: T0 - 10_000 });
    expect(res.events?.map((e) => e.message)).toEqual([
      'e5',
      'e6',
      'e7',
      'e8',
      'e9',
      'e10',
      'e11',
      'e12',
      'e13',
      'e14',
    ]);
  });

  it('keeps a page within 1 MB counting 26 bytes per event', async () => {
    const big = 'x'.repeat(200_000);
    h.sandbox.seedStream(
      'g',
      'big',
      Array.from({ length: 12 }, (_, i) => ({ timestamp: T0 - MS_PER_DAY + i, message: big })),
    );
    const res = await get({ logStreamName: 'big', startFromHead: true });
    expect(res.events).toHaveLength(5); // 5 × 200,026 ≤ 1,048,576 < 6 × 200,026
  });

  it('ends immediately on an empty stream', async () => {
    h.sandbox.seedStream('g', 'empty', []);
    const first = await get({ logStreamName: 'empty', startFromHead: true });
    const second = await get({ logStreamName: 'empty', nextToken: first.nextForwardToken });
    expect(first.events).toEqual([]);
    expect(second.nextForwardToken).toBe(first.nextForwardToken);
  });

  it('refuses a malformed token, a limit above 10,000 and a missing stream', async () => {
    await expectAwsError(get({ nextToken: 'garbage' }), 'InvalidParameterException');
    await expectAwsError(get({ limit: 10_001 }), 'InvalidParameterException');
    await expectAwsError(get({ logStreamName: 'nope' }), 'ResourceNotFoundException');
  });
});

describe('GetLogEvents on protected and Infrequent Access groups', () => {
  it('masks e-mail addresses and long digit runs unless unmask is set', async () => {
    h.sandbox.seedGroup('pii', { dataProtection: true });
    h.sandbox.seedStream('pii', 's', [{ timestamp: T0, message: 'user ann@example.com card 4111111111111111 id 42' }]);
    const masked = await get({ logGroupName: 'pii', startFromHead: true });
    const clear = await get({ logGroupName: 'pii', startFromHead: true, unmask: true });
    expect(masked.events?.[0]?.message).toBe('user **** card **** id 42');
    expect(clear.events?.[0]?.message).toBe('user ann@example.com card 4111111111111111 id 42');
    expect(h.sandbox.events('pii', 's')[0]?.message).toContain('ann@example.com');
  });

  it('refuses GetLogEvents on an INFREQUENT_ACCESS group', async () => {
    h.sandbox.seedGroup('ia', { logGroupClass: 'INFREQUENT_ACCESS' });
    h.sandbox.seedStream('ia', 's', [{ timestamp: T0, message: 'x' }]);
    await expectAwsError(get({ logGroupName: 'ia' }), 'InvalidParameterException');
  });
});

describe('FilterLogEvents', () => {
  it('merges streams by timestamp, filters by substring and pages with nextToken', async () => {
    h.sandbox.seedStream('g', 't', [{ timestamp: T0 - 24_500, message: 'e-between' }]);
    const all: string[] = [];
    let nextToken: string | undefined;
    do {
      const res = await h.logs.send(
        new FilterLogEventsCommand({ logGroupName: 'g', filterPattern: 'e', limit: 7, nextToken }),
      );
      all.push(...(res.events ?? []).map((e) => `${e.logStreamName}:${e.message}`));
      nextToken = res.nextToken;
    } while (nextToken !== undefined);
    expect(all).toHaveLength(26);
    expect(all.slice(0, 3)).toEqual(['s:e0', 't:e-between', 's:e1']);
  });

  it('treats both ends of the time range as inclusive', async () => {
    const res = await h.logs.send(
      new FilterLogEventsCommand({ logGroupName: 'g', startTime: T0 - 25_000, endTime: T0 - 24_000 }),
    );
    expect(res.events?.map((e) => e.message)).toEqual(['e0', 'e1']);
  });
});
