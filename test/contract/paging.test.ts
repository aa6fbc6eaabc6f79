/**
 * Contract: cwl-trim's own reading loop (readEvents) over a stream of several pages, from a start
 * time, on the sandbox and on moto. moto's tokens are positions in the list the request's own times
 * selected: a loop that sends the times on the first page only reads another list from page two.
 */
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createCallStats } from '../../src/aws/callAws.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { createLimiters, type Limiters } from '../../src/aws/limiters.js';
import { readEvents } from '../../src/aws/logStreams.js';
import { describeContract } from './targets.js';

const GROUP = '/contract/paging';
const STREAM = 'app/2026/12/01/[$LATEST]abc';
const EVENTS = 25;

describeContract('readEvents over several pages', (target) => {
  let base = 0;
  let limiters: Limiters | undefined;

  beforeEach(async () => {
    base = Math.floor((Date.now() - 60 * 60_000) / 1_000) * 1_000;
    await target().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await target().seedHistory(
      GROUP,
      STREAM,
      Array.from({ length: EVENTS }, (_, i) => ({ timestamp: base + i * 1_000, message: `e${i}` })),
    );
  });
  afterEach(async () => {
    await limiters?.stop();
  });

  const read = async (query: {
    startTimeMs: number;
    endTimeMs?: number;
    pageSize: number;
  }): Promise<{ messages: string[]; calls: number }> => {
    limiters = createLimiters({ quotaShare: 1, quotasTps: { GetLogEvents: 1_000 } });
    const call = { limiters, stats: createCallStats() };
    const deps = { clients: { logs: target().logs } as unknown as AwsClients, call };
    const messages: string[] = [];
    for await (const e of readEvents(deps, { logGroupName: GROUP, logStreamName: STREAM, ...query }))
      messages.push(e.message);
    return { messages, calls: call.stats.snapshot()['GetLogEvents']?.calls ?? 0 };
  };

  it('reads every event from the start time on, once and in order, four a page', async () => {
    const { messages, calls } = await read({ startTimeMs: base + 5_000, pageSize: 4 });
    expect(messages).toEqual(Array.from({ length: EVENTS - 5 }, (_, i) => `e${i + 5}`));
    expect(calls).toBeGreaterThanOrEqual(5);
  });

  it('with an end time too, stops at it on every page', async () => {
    // endTime 12 s after base: e12 is excluded on AWS and the sandbox, included on moto (inclusive end).
    const { messages } = await read({ startTimeMs: base + 3_000, endTimeMs: base + 12_000, pageSize: 2 });
    expect(messages.slice(0, 9)).toEqual(Array.from({ length: 9 }, (_, i) => `e${i + 3}`));
    expect(messages.length).toBeLessThanOrEqual(10);
  });
});
