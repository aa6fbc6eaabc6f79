import { DescribeLogGroupsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSandboxClock } from '../src/index.js';
import { expectAwsError, useSandbox } from './helpers/sandboxHarness.js';

// The documented limits, written out here: neither the product's constants nor the sandbox's own
// copy (API Reference, PutLogEvents: 1,048,576 bytes counting 26 per event, 10,000 events, 24 h, 14 days, 2 h).
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const PUT_MAX_EVENTS = 10_000;
const PUT_MAX_BATCH_BYTES = 1_048_576;

const T0 = Date.parse('2024-06-01T00:00:00.000Z');
const clock = createSandboxClock(T0, { frozen: true });
const h = useSandbox({ clock, quotasTps: false });

const put = (logEvents: InputLogEvent[], stream = 's') =>
  h.logs.send(new PutLogEventsCommand({ logGroupName: 'g', logStreamName: stream, logEvents }));
const at = (...timestamps: number[]): InputLogEvent[] =>
  timestamps.map((timestamp, i) => ({ timestamp, message: `m${i}` }));
const stored = (): string[] => h.sandbox.events('g', 's').map((e) => e.message);

beforeEach(() => {
  clock.set(T0);
  h.sandbox.seedGroup('g', { creationTimeMs: T0 - 30 * MS_PER_DAY });
  h.sandbox.seedStream('g', 's', []);
});

describe('PutLogEvents: rules that fail the whole call', () => {
  it('stores events in order and stamps ingestionTime with the sandbox clock', async () => {
    const res = await put(at(T0 - 2_000, T0 - 1_000, T0 - 1_000));
    expect(res.rejectedLogEventsInfo).toBeUndefined();
    expect(res.nextSequenceToken).toMatch(/^\d+$/);
    expect(h.sandbox.events('g', 's')).toEqual([
      { timestamp: T0 - 2_000, message: 'm0', ingestionTime: T0 },
      { timestamp: T0 - 1_000, message: 'm1', ingestionTime: T0 },
      { timestamp: T0 - 1_000, message: 'm2', ingestionTime: T0 },
    ]);
  });

  it('refuses events out of chronological order and stores none of them', async () => {
    const err = await expectAwsError(put(at(T0, T0 - 1)), 'InvalidParameterException');
    expect(err.message).toMatch(/chronological order/);
    expect(stored()).toEqual([]);
  });

  it('refuses an empty batch', async () => {
    await expectAwsError(put([]), 'InvalidParameterException');
  });

  it('accepts 10,000 events and refuses 10,001', async () => {
    await put(Array.from({ length: PUT_MAX_EVENTS }, () => ({ timestamp: T0, message: 'x' })));
    await expectAwsError(
      put(Array.from({ length: PUT_MAX_EVENTS + 1 }, () => ({ timestamp: T0, message: 'x' }))),
      'InvalidParameterException',
    );
    expect(stored()).toHaveLength(PUT_MAX_EVENTS);
  });

  it('counts 26 bytes per event: exactly 1,048,576 bytes passes, one byte more fails', async () => {
    const perEvent = PUT_MAX_BATCH_BYTES / 4; // 262,144 = message + 26
    const fits = Array.from({ length: 4 }, () => ({ timestamp: T0, message: 'a'.repeat(perEvent - 26) }));
    await put(fits);
    const tooBig = fits.map((e, i) => (i === 0 ? { ...e, message: `${e.message}b` } : e));
    const err = await expectAwsError(put(tooBig), 'InvalidParameterException');
    expect(err.message).toMatch(/1048577/);
    expect(stored()).toHaveLength(4);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const euro = '€'; // 3 bytes in UTF-8
    const perEvent = PUT_MAX_BATCH_BYTES / 4;
    const chars = Math.floor((perEvent - 26) / 3) + 1; // just over the byte budget, under it in characters
    await expectAwsError(
      put(Array.from({ length: 4 }, () => ({ timestamp: T0, message: euro.repeat(chars) }))),
      'InvalidParameterException',
    );
  });

  it('accepts a batch spanning exactly 24 h and refuses one spanning a millisecond more', async () => {
    await put(at(T0 - 24 * MS_PER_HOUR, T0));
    await expectAwsError(put(at(T0 - 24 * MS_PER_HOUR - 1, T0)), 'InvalidParameterException');
    expect(stored()).toEqual(['m0', 'm1']);
  });

  it('answers ResourceNotFoundException for a missing stream or group', async () => {
    await expectAwsError(put(at(T0), 'nope'), 'ResourceNotFoundException');
    await expectAwsError(
      h.logs.send(new PutLogEventsCommand({ logGroupName: 'nope', logStreamName: 's', logEvents: at(T0) })),
      'ResourceNotFoundException',
    );
  });
});

describe('PutLogEvents: events dropped one by one', () => {
  it('drops events older than 14 days; tooOldLogEventEndIndex is the exclusive end', async () => {
    const old = T0 - 14 * MS_PER_DAY;
    const res = await put(at(old - 2 * MS_PER_HOUR, old - 1, old, old + MS_PER_HOUR));
    expect(res.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
    expect(stored()).toEqual(['m2', 'm3']);
  });

  it('drops events more than 2 h ahead; tooNewLogEventStartIndex is the inclusive start', async () => {
    const limit = T0 + 2 * MS_PER_HOUR;
    const res = await put(at(T0, limit, limit + 1, limit + MS_PER_HOUR));
    expect(res.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 2 });
    expect(stored()).toEqual(['m0', 'm1']);
  });

  it("drops events older than the group's retention; expiredLogEventEndIndex is the exclusive end", async () => {
    h.sandbox.seedGroup('g', { retentionInDays: 7 });
    const cutoff = T0 - 7 * MS_PER_DAY;
    const res = await put(at(cutoff - 2, cutoff - 1, cutoff, cutoff + 1));
    expect(res.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 2 });
    expect(stored()).toEqual(['m2', 'm3']);
  });

  it('reports both indexes when events are older than 14 days and than a shorter retention', async () => {
    h.sandbox.seedGroup('g', { retentionInDays: 1 });
    const old = T0 - 14 * MS_PER_DAY;
    const res = await put(at(old - MS_PER_HOUR, old + MS_PER_HOUR));
    expect(res.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, expiredLogEventEndIndex: 2 });
    expect(stored()).toEqual([]);
  });

  it('updates the group storedBytes with UTF-8 bytes + 26 per stored event', async () => {
    await put([{ timestamp: T0, message: 'héllo' }]); // 6 bytes
    const res = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'g' }));
    expect(res.logGroups?.[0]?.storedBytes).toBe(6 + 26);
  });
});
