/**
 * A real run against the sandbox, with DescribeLogStreams answering as CloudWatch can while its
 * metadata lags: a stream with events on both sides of the cutoff, listed with its first event time
 * and no last one yet. Before, it was planned as an empty stream and deleted with no archive check.
 */
import { describe, expect, it } from 'vitest';
import { cutoffMs as computeCutoffMs } from '../../src/plan/exportWindow.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { MS_PER_DAY, history, keys, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, HOUR, NOW, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const DAYS = 7;
const CUTOFF = computeCutoffMs(NOW, DAYS);

describe('a stream listed before CloudWatch reports its last event time', () => {
  it('is left for a later run with every event in place: not deleted as an empty stream', async () => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 61 * MS_PER_DAY });
    const events = history('lagging', CUTOFF - 3 * HOUR, CUTOFF + 3 * HOUR, HOUR);
    sandbox.seedStream(GROUP, 'lagging', events);
    const config = testConfig(sandbox, { days: DAYS, forceRebuild: true });
    const deps = testDeps(sandbox, config);
    deps.clients.logs.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'DescribeLogStreamsCommand') {
          const body = out.output as { logStreams?: { lastEventTimestamp?: number }[] };
          for (const s of body.logStreams ?? []) delete s.lastEventTimestamp;
        }
        return out;
      },
      { step: 'initialize', name: 'noLastEventYet' },
    );
    const { plan, result } = await runCwlTrim(config, deps);
    expect(plan.groups[0]?.streams.find((s) => s.logStreamName === 'lagging')).toMatchObject({
      action: 'skip',
      reason: 'metadata-pending',
    });
    expect(result?.groups[0]?.tally?.deleted ?? 0).toBe(0);
    expect(sandbox.streamNames(GROUP)).toEqual(['lagging']);
    expect(keys(sandbox.events(GROUP, 'lagging'))).toEqual(keys(events));
  });
});
