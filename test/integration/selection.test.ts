import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import { createSandboxClock, startSandbox, type Sandbox } from '@cwl-trim/sandbox';
import type { GroupSelection } from '../../src/types.js';
import { BUCKET, MS_PER_DAY, history, scaledQuotas, testConfig, testDeps } from '../helpers/runHarness.js';
import { NOW } from '../helpers/scenario.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ quotasTps: scaledQuotas(50), clock: createSandboxClock(NOW, { frozen: true }) });
});
afterAll(async () => {
  await sandbox.stop();
});

const LAMBDA = Array.from({ length: 60 }, (_, i) => `/aws/lambda/fn-${String(i).padStart(2, '0')}`);
const OTHERS = ['/ecs/svc-1', '/ecs/svc-1-canary', '/ecs/svc-2', 'app-without-slash', '/aws/lambda-edge/x'];

beforeEach(() => {
  sandbox.reset();
  sandbox.createBucket(BUCKET);
  for (const [i, name] of LAMBDA.entries()) {
    sandbox.seedGroup(name, {
      creationTimeMs: NOW - 40 * MS_PER_DAY,
      tags: i % 2 === 0 ? { AutoExport: 'True' } : { AutoExport: 'False' },
    });
  }
  for (const name of OTHERS) sandbox.seedGroup(name, { creationTimeMs: NOW - 40 * MS_PER_DAY });
});

async function selected(selection: Partial<GroupSelection>): Promise<string[]> {
  const config = testConfig(sandbox, {
    dryRun: true,
    selection: { names: [], prefixes: [], excludePrefixes: [], ...selection },
  });
  const { plan } = await runCwlTrim(config, testDeps(sandbox, config));
  return plan.groups.map((g) => g.logGroupName);
}

describe('group selection (over more than one page of 50)', () => {
  it('selects exact names only, never a longer name they prefix', async () => {
    expect(await selected({ names: ['/ecs/svc-1', '/aws/lambda/fn-07'] })).toEqual(['/aws/lambda/fn-07', '/ecs/svc-1']);
  });

  it('selects every group under a prefix across pages', async () => {
    const groups = await selected({ prefixes: ['/aws/lambda/'] });
    expect(groups).toEqual(LAMBDA);
    expect(sandbox.countCalls('DescribeLogGroups')).toBeGreaterThanOrEqual(2);
  });

  it('selects every group with the prefix / (even names without a leading slash)', async () => {
    expect(await selected({ prefixes: ['/'] })).toEqual([...LAMBDA, ...OTHERS].sort());
  });

  it('selects by tag, alone or within prefixes', async () => {
    const tagged = LAMBDA.filter((_, i) => i % 2 === 0);
    expect(await selected({ tag: { key: 'AutoExport', value: 'True' } })).toEqual(tagged);
    expect(await selected({ prefixes: ['/ecs/'], tag: { key: 'AutoExport', value: 'True' } })).toEqual([]);
  });

  it('never selects an excluded prefix', async () => {
    const groups = await selected({ prefixes: ['/'], excludePrefixes: ['/aws/lambda/fn-1', '/ecs/'] });
    expect(groups).not.toContain('/aws/lambda/fn-12');
    expect(groups).not.toContain('/ecs/svc-2');
    expect(groups).toContain('/aws/lambda/fn-21');
    expect(groups).toContain('/aws/lambda-edge/x');
  });

  it('reads every stream of a group with more than 50 streams', async () => {
    for (let i = 0; i < 120; i += 1) {
      sandbox.seedStream(
        '/ecs/svc-2',
        `task-${i}`,
        history(`task-${i}`, NOW - 30 * MS_PER_DAY, NOW - 29 * MS_PER_DAY, 3_600_000),
      );
    }
    const config = testConfig(sandbox, {
      dryRun: true,
      selection: { names: ['/ecs/svc-2'], prefixes: [], excludePrefixes: [] },
    });
    const { plan } = await runCwlTrim(config, testDeps(sandbox, config));
    expect(plan.groups[0]!.streams).toHaveLength(120);
    expect(plan.groups[0]!.totals.delete).toBe(120);
    // The first window needs no look at the streams (the group stores bytes): the listing, 3 pages of 50.
    expect(sandbox.countCalls('DescribeLogStreams')).toBe(3);
  });
});
