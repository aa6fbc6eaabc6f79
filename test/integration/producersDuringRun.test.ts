/**
 * Producers writing during the run (issue 13): a write to an expired stream after its export was
 * created (current or back-dated), after it was verified, or a first event in an old empty stream.
 * The group's streams are listed (and planned) only once its export is verified, page by page: a
 * write before that is in the metadata the plan reads, and the stream is left alone: no event is lost.
 */
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { MS_PER_DAY } from '../../src/constants.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { command, doBefore, s3Put } from '../helpers/crash.js';
import { keys, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const EXPIRED = '2026/10/01/[$LATEST]expired1';

describe('a producer writes while the run works on its group', () => {
  it.each([
    ['after its export was created, a current event', command('DescribeExportTasks', (i) => i.taskId !== undefined), 0],
    [
      'after its export was created, a back-dated event',
      command('DescribeExportTasks', (i) => i.taskId !== undefined),
      10,
    ],
    ['after its export was verified', s3Put('/manifest.json'), 0],
  ] as const)('into an expired stream %s: the stream is left alone, nothing lost', async (_name, moment, daysAgo) => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7 });
    const deps = testDeps(sandbox, config);
    const producer = testDeps(sandbox, config);
    const written = {
      timestamp: sandbox.clock.now() - daysAgo * MS_PER_DAY - 60_000,
      message: 'written during the run',
    };
    const wrote = doBefore(deps, moment, async () => {
      const put = await producer.clients.logs.send(
        new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: EXPIRED, logEvents: [written] }),
      );
      expect(put.rejectedLogEventsInfo).toBeUndefined();
    });
    const out = await runCwlTrim(config, deps);
    expect(wrote.fired()).toBe(true);
    // Planned from metadata read after the write: written a minute ago, so it waits for its quiet minutes.
    expect(out.plan.groups[0]?.streams.find((s) => s.logStreamName === EXPIRED)).toMatchObject({
      action: 'skip',
      reason: 'active',
    });
    expect(out.result?.groups[0]?.streams.find((s) => s.logStreamName === EXPIRED)).toBeUndefined();
    expect(keys(sandbox.events(GROUP, EXPIRED))).toEqual(keys([...seeded.get(EXPIRED)!, written]));
  });

  it('a first event in an old empty stream during the run: the stream is left alone', async () => {
    seedOrders(sandbox);
    sandbox.seedStream(GROUP, 'empty-old', [], { creationTimeMs: sandbox.clock.now() - 30 * MS_PER_DAY });
    const config = testConfig(sandbox, { days: 7 });
    const deps = testDeps(sandbox, config);
    const producer = testDeps(sandbox, config);
    const written = { timestamp: sandbox.clock.now() - 60_000, message: 'first event' };
    doBefore(deps, s3Put('/manifest.json'), async () => {
      await producer.clients.logs.send(
        new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'empty-old', logEvents: [written] }),
      );
    });
    const out = await runCwlTrim(config, deps);
    // Listed after the export was verified: it has an event now, and is kept.
    expect(out.plan.groups[0]?.streams.find((s) => s.logStreamName === 'empty-old')?.action).toBe('keep');
    expect(out.result?.groups[0]?.streams.find((s) => s.logStreamName === 'empty-old')).toBeUndefined();
    expect(keys(sandbox.events(GROUP, 'empty-old'))).toEqual(keys([written]));
  });
});
