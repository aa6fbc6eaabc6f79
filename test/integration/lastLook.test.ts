/**
 * The last look before a rebuild's delete (issue 13): DescribeLogStreams' last event and ingestion
 * times lag up to an hour on AWS, so a producer's write after the events were saved may not show
 * there. The sandbox's metadata is exact: here a proxy serves the metadata as first seen (stale, as
 * AWS's can be) while a producer writes into the stream right after its journal is committed.
 */
import { PutLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { doBefore, s3Put } from '../helpers/crash.js';
import { keys, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

interface StreamsOutput {
  logStreams?: { logStreamName?: string }[];
}

/** Makes the client's DescribeLogStreams answers show each stream as it was first seen (in place). */
function staleMetadata(logs: CloudWatchLogsClient): void {
  const firstSeen = new Map<string, object>();
  const original = logs.send.bind(logs) as (c: unknown) => Promise<unknown>;
  (logs as unknown as { send: (c: { constructor: { name: string } }) => Promise<unknown> }).send = async (command) => {
    const out = (await original(command)) as StreamsOutput;
    if (command.constructor.name !== 'DescribeLogStreamsCommand') return out;
    const logStreams = (out.logStreams ?? []).map((s) => {
      const name = s.logStreamName ?? '';
      if (!firstSeen.has(name)) firstSeen.set(name, s);
      return firstSeen.get(name)!;
    });
    return { ...out, logStreams };
  };
}

describe('the last look before a rebuild deletes', () => {
  it('reads the tail: a write after the save, unseen by the lagging metadata, abandons the rebuild; nothing lost', async () => {
    const seeded = seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const stale = testDeps(sandbox, config);
    const producer = testDeps(sandbox, config);
    staleMetadata(stale.clients.logs);
    const written = { timestamp: sandbox.clock.now() - 60_000, message: 'written while the rebuild saved' };
    // The producer writes just as the journal is committed (its manifest carries the snapshot).
    doBefore(
      stale,
      s3Put('/journal/', (b) => b.includes('"snapshot"')),
      async () => {
        await producer.clients.logs.send(
          new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 'straddling', logEvents: [written] }),
        );
      },
    );
    const out = await runCwlTrim(config, stale);
    const rebuild = out.result?.groups[0]?.streams.find((s) => s.logStreamName === 'straddling');
    expect(rebuild).toMatchObject({ action: 'rebuild', outcome: 'abandoned' });
    expect(rebuild?.detail).toContain('arrived after the events were saved');
    expect(keys(sandbox.events(GROUP, 'straddling'))).toEqual(keys([...seeded.get('straddling')!, written]));
  });
});
