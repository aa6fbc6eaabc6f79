/**
 * Contract: PutLogEvents rules and GetLogEvents paging, on the sandbox and on moto.
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { GetLogEventsCommandInput, InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, expect, it } from 'vitest';
import { MS_PER_DAY, MS_PER_HOUR, PUT_MAX_BATCH_BYTES, PUT_MAX_EVENTS } from '../../src/constants.js';
import { expectAwsError } from '@cwl-trim/sandbox/testing';
import { describeContract, motoDeviation } from './targets.js';

const GROUP = '/contract/events';
const STREAM = 'stream-1';

describeContract('PutLogEvents', (target, name) => {
  const put = (logEvents: InputLogEvent[]) =>
    target().logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents }));
  const messages = async (): Promise<string[]> => {
    const res = await target().logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, startFromHead: true }),
    );
    return (res.events ?? []).map((e) => e.message ?? '');
  };

  beforeEach(async () => {
    await target().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await target().logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));
  });

  it('refuses a batch out of chronological order and stores none of it', async () => {
    const now = Date.now();
    const err = await expectAwsError(
      put([
        { timestamp: now, message: 'b' },
        { timestamp: now - 1_000, message: 'a' },
      ]),
      'InvalidParameterException',
    );
    expect(err.message).toMatch(/chronological order/);
    expect(await messages()).toEqual([]);
  });

  it('drops events older than 14 days and keeps the rest, reporting tooOldLogEventEndIndex', async () => {
    const now = Date.now();
    const old = now - 14 * MS_PER_DAY - MS_PER_HOUR;
    const res = await put([
      { timestamp: old, message: 'old-0' },
      { timestamp: old + 1, message: 'old-1' },
      { timestamp: old + 2 * MS_PER_HOUR, message: 'ok-2' },
    ]);
    expect(res.rejectedLogEventsInfo?.tooOldLogEventEndIndex).toBeDefined();
    expect(await messages()).toEqual(['ok-2']);
  });

  it('drops events more than 2 h ahead and keeps the rest, reporting tooNewLogEventStartIndex', async () => {
    const now = Date.now();
    const res = await put([
      { timestamp: now, message: 'ok-0' },
      { timestamp: now + 3 * MS_PER_HOUR, message: 'new-1' },
      { timestamp: now + 3 * MS_PER_HOUR + 1, message: 'new-2' },
    ]);
    expect(res.rejectedLogEventsInfo?.tooNewLogEventStartIndex).toBeDefined();
    expect(await messages()).toEqual(['ok-0']);
  });

  it.skipIf(motoDeviation(name))(
    'reports tooOldLogEventEndIndex as an exclusive end and tooNewLogEventStartIndex as an inclusive start (moto: reports the last index of each)',
    async () => {
      const now = Date.now();
      const old = now - 14 * MS_PER_DAY - MS_PER_HOUR;
      const tooOld = await put([
        { timestamp: old, message: 'old-0' },
        { timestamp: old + 1, message: 'old-1' },
        { timestamp: old + 2 * MS_PER_HOUR, message: 'ok-2' },
      ]);
      const tooNew = await put([
        { timestamp: now, message: 'ok-0' },
        { timestamp: now + 3 * MS_PER_HOUR, message: 'new-1' },
        { timestamp: now + 3 * MS_PER_HOUR + 1, message: 'new-2' },
      ]);
      expect(tooOld.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 2 });
      expect(tooNew.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    },
  );

  it.skipIf(motoDeviation(name))('refuses a batch spanning more than 24 h (moto: span not checked)', async () => {
    const now = Date.now();
    await expectAwsError(
      put([
        { timestamp: now - 25 * MS_PER_HOUR, message: 'a' },
        { timestamp: now, message: 'b' },
      ]),
      'InvalidParameterException',
    );
  });

  it.skipIf(motoDeviation(name))('refuses more than 10,000 events (moto: count not checked)', async () => {
    const now = Date.now();
    await expectAwsError(
      put(Array.from({ length: PUT_MAX_EVENTS + 1 }, () => ({ timestamp: now, message: 'x' }))),
      'InvalidParameterException',
    );
  });

  it.skipIf(motoDeviation(name))(
    'refuses more than 1,048,576 bytes counting 26 per event (moto: size not checked)',
    async () => {
      const now = Date.now();
      const message = 'a'.repeat(PUT_MAX_BATCH_BYTES / 4 - 26);
      await put(Array.from({ length: 4 }, () => ({ timestamp: now, message })));
      await expectAwsError(
        put(Array.from({ length: 4 }, (_, i) => ({ timestamp: now, message: i === 0 ? `${message}!` : message }))),
        'InvalidParameterException',
      );
    },
  );

  it.skipIf(motoDeviation(name))(
    "drops events older than the group's retention, reporting expiredLogEventEndIndex (moto: retention never enforced)",
    async () => {
      const now = Date.now();
      await target().logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 3 }));
      const res = await put([
        { timestamp: now - 3 * MS_PER_DAY - 2 * MS_PER_HOUR, message: 'expired' },
        { timestamp: now - 3 * MS_PER_DAY - MS_PER_HOUR, message: 'expired-too' },
        { timestamp: now - 3 * MS_PER_DAY + 20 * MS_PER_HOUR, message: 'kept' },
      ]);
      expect(res.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 2 });
      expect(await messages()).toEqual(['kept']);
    },
  );
});

describeContract('GetLogEvents', (target, name) => {
  const get = (input: Partial<GetLogEventsCommandInput>) =>
    target().logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, ...input }));
  let base = 0;

  beforeEach(async () => {
    base = Date.now() - 60_000;
    await target().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await target().seedHistory(
      GROUP,
      STREAM,
      Array.from({ length: 25 }, (_, i) => ({ timestamp: base + i * 1_000, message: `e${i}` })),
    );
  });

  it('reads forward page by page and, at the end, returns the token it was sent', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let calls = 0;
    for (;;) {
      const res = await get({ startFromHead: true, limit: 10, ...(token !== undefined && { nextToken: token }) });
      calls += 1;
      seen.push(...(res.events ?? []).map((e) => e.message ?? ''));
      if (res.nextForwardToken === token) break;
      token = res.nextForwardToken;
      expect(calls).toBeLessThan(10);
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `e${i}`));
  });

  it('keeps returning the same forward token once the end is reached', async () => {
    const all = await get({ startFromHead: true });
    const end1 = await get({ nextToken: all.nextForwardToken });
    const end2 = await get({ nextToken: end1.nextForwardToken });
    expect(all.events).toHaveLength(25);
    expect(end1.events).toEqual([]);
    expect(end1.nextForwardToken).toBe(all.nextForwardToken);
    expect(end2.nextForwardToken).toBe(all.nextForwardToken);
  });

  it('treats startTime as inclusive', async () => {
    const res = await get({ startFromHead: true, startTime: base + 20_000 });
    expect(res.events?.map((e) => e.message)).toEqual(['e20', 'e21', 'e22', 'e23', 'e24']);
  });

  it.skipIf(motoDeviation(name))('treats endTime as exclusive (moto: inclusive)', async () => {
    const res = await get({ startFromHead: true, startTime: base, endTime: base + 3_000 });
    expect(res.events?.map((e) => e.message)).toEqual(['e0', 'e1', 'e2']);
  });

  it('without startFromHead returns the newest events', async () => {
    const res = await get({ limit: 5 });
    expect(res.events?.map((e) => e.message)).toEqual(['e20', 'e21', 'e22', 'e23', 'e24']);
  });

  it('names a missing stream ResourceNotFoundException and a bad token InvalidParameterException', async () => {
    await expectAwsError(get({ logStreamName: 'nope' }), 'ResourceNotFoundException');
    await expectAwsError(get({ nextToken: 'not-a-token' }), 'InvalidParameterException');
  });
});
