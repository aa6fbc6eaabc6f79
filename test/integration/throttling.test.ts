import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';
import { describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { testConfig, testDeps } from '../helpers/runHarness.js';
import { expectInvariant, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

describe('a throttled account', () => {
  it('completes with every event kept when 30 % of the calls to every API are throttled', async () => {
    const seeded = seedOrders(sandbox);
    sandbox.setFaultRate('*', 0.3);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    const deps = testDeps(sandbox, config, { retry: { retries: 15, minTimeoutMs: 1, maxTimeoutMs: 10 } });
    const { plan, result } = await runCwlTrim(config, deps);
    sandbox.clearFaults();

    expect(result?.outcome).toBe('done');
    const stats = Object.values(deps.call.stats.snapshot());
    expect(stats.reduce((n, s) => n + s.throttles, 0)).toBeGreaterThan(10);
    // No call failed for throttling: the only failures are the reads of objects that do not exist yet
    // (a new group's state, the progress of a fresh journal) and of a transformer the group does not
    // have, and the first lock's create before the account's lock group exists, which the code expects.
    const { GetObject, GetTransformer, CreateLogStream, ...others } = deps.call.stats.snapshot();
    expect(Object.values(others).reduce((n, s) => n + s.failures, 0)).toBe(0);
    expect(GetObject?.failures).toBe(
      sandbox.calls.filter((c) => c.operation === 'GetObject' && c.error === 'NoSuchKey').length,
    );
    expect(CreateLogStream?.failures).toBe(
      sandbox.calls.filter(
        (c) =>
          c.operation === 'CreateLogStream' &&
          c.error === 'ResourceNotFoundException' &&
          (c.input as { logGroupName?: string }).logGroupName === LOCK_GROUP_NAME,
      ).length,
    );
    expect(GetTransformer?.failures).toBe(
      sandbox.calls.filter((c) => c.operation === 'GetTransformer' && c.error === 'ResourceNotFoundException').length,
    );
    expectInvariant(sandbox, seeded, plan.cutoffMs);
  });
});
