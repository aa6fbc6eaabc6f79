/**
 * Empty streams and empty groups: STRATEGY=retention deletes old idle empty streams too, and
 * DELETE_EMPTY_GROUPS deletes a group only once nothing is left in it, every event archived, the dry
 * run showing it first.
 */
import { PutSubscriptionFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import type { Config } from '../../src/types.js';
import { MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients, type SandboxClients } from '@cwl-trim/sandbox/testing';
import { HOUR, NOW, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
let clients: SandboxClients;
useRunSandbox((s) => {
  sandbox = s;
});
beforeAll(() => {
  clients = sandboxClients(sandbox.endpoint, sandbox.region);
});
afterAll(() => clients.destroy());

const GROUP = '/app/old-batch';

async function run(overrides: Partial<Config> = {}) {
  const config = testConfig(sandbox, { days: 7, ...overrides });
  return runCwlTrim(config, testDeps(sandbox, config));
}

/** A group whose every stream expired long ago. */
function seedExpiredGroup(): void {
  sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 60 * MS_PER_DAY });
  for (const name of ['a', 'b'])
    sandbox.seedStream(GROUP, name, history(name, NOW - 40 * MS_PER_DAY, NOW - 30 * MS_PER_DAY, 6 * HOUR));
}

describe('empty streams and groups', () => {
  it('STRATEGY=retention deletes an empty stream created before the cutoff, and nothing else', async () => {
    sandbox.seedGroup(GROUP, { creationTimeMs: NOW - 60 * MS_PER_DAY });
    sandbox.seedStream(GROUP, 'full', history('full', NOW - 40 * MS_PER_DAY, NOW - 30 * MS_PER_DAY, 6 * HOUR));
    sandbox.seedStream(GROUP, 'empty', [], { creationTimeMs: NOW - 20 * MS_PER_DAY });
    const out = await run({ strategy: 'retention' });
    expect(out.plan.groups[0]!.streams.find((s) => s.logStreamName === 'empty')).toMatchObject({
      action: 'delete',
      reason: 'empty-old',
    });
    expect(out.result?.outcome).toBe('done');
    expect(sandbox.streamNames(GROUP)).toEqual(['full']);
  });

  it('DELETE_EMPTY_GROUPS: the run that empties a group keeps it; the next dry run shows the deletion; the run after deletes it', async () => {
    seedExpiredGroup();
    const first = await run({ deleteEmptyGroups: true });
    expect(first.result?.outcome).toBe('done');
    expect(first.plan.groups[0]!.deleteGroup).toBeUndefined();
    expect(sandbox.streamNames(GROUP)).toEqual([]);

    sandbox.clearCalls();
    const dry = await run({ deleteEmptyGroups: true, dryRun: true });
    expect(dry.plan.groups[0]!.deleteGroup?.detail).toMatch(/no stream and no filter left/);
    expect(sandbox.mutatingCalls()).toEqual([]);
    expect(sandbox.groupNames()).toContain(GROUP);

    const last = await run({ deleteEmptyGroups: true });
    expect(last.result?.groups[0]?.groupDeletion).toMatchObject({ outcome: 'deleted' });
    expect(sandbox.groupNames()).not.toContain(GROUP);
  });

  it('keeps an empty group without the setting, with a filter, or never archived by cwl-trim', async () => {
    seedExpiredGroup();
    await run();
    expect((await run()).plan.groups[0]!.deleteGroup).toBeUndefined();

    await clients.logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: GROUP,
        filterName: 'ship',
        filterPattern: '',
        destinationArn: 'arn:aws:lambda:us-east-1:123456789012:function:ship',
      }),
    );
    expect((await run({ deleteEmptyGroups: true })).plan.groups[0]!.deleteGroup).toBeUndefined();
    expect(sandbox.groupNames()).toContain(GROUP);

    sandbox.seedGroup('/never/archived', { creationTimeMs: NOW - 60 * MS_PER_DAY });
    const never = await run({
      deleteEmptyGroups: true,
      selection: { names: ['/never/archived'], prefixes: [], excludePrefixes: [] },
    });
    expect(never.plan.groups[0]!.deleteGroup).toBeUndefined();
    expect(sandbox.groupNames()).toContain('/never/archived');
  });
});
