/**
 * Account-level policies and group settings, end to end on the sandbox: each feeds the same guard as
 * its group-level twin (or its own), with its reason code, and nothing is journaled or put for nothing.
 */
import {
  PutAccountPolicyCommand,
  PutLogGroupDeletionProtectionCommand,
  PutStorageTierPolicyCommand,
  PutTransformerCommand,
  type PolicyType,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import type { Config } from '../../src/types.js';
import { MS_PER_DAY, history, testConfig, testDeps } from '../helpers/runHarness.js';
import { sandboxClients, type SandboxClients } from '@cwl-trim/sandbox/testing';
import { expectInvariant, GROUP, HOUR, NOW, seedOrders, useRunSandbox } from '../helpers/scenario.js';
import { countWork } from '../helpers/lockCalls.js';

let sandbox: Sandbox;
let clients: SandboxClients;
useRunSandbox((s) => {
  sandbox = s;
});
beforeAll(() => {
  clients = sandboxClients(sandbox.endpoint, sandbox.region);
});
afterAll(() => clients.destroy());

const EXPIRED = ['1', '2', '3', '4', '5'].map((i) => `2026/10/0${i}/[$LATEST]expired${i}`);

async function run(overrides: Partial<Config> = {}) {
  const config = testConfig(sandbox, { days: 7, forceRebuild: true, ...overrides });
  return runCwlTrim(config, testDeps(sandbox, config));
}

const streamPlan = (out: Awaited<ReturnType<typeof run>>, name: string) =>
  out.plan.groups[0]!.streams.find((s) => s.logStreamName === name);

const putPolicy = (policyType: PolicyType, policyDocument: object, selectionCriteria?: string) =>
  clients.logs.send(
    new PutAccountPolicyCommand({
      policyName: `account-${policyType.toLowerCase()}`,
      policyType,
      policyDocument: JSON.stringify(policyDocument),
      ...(selectionCriteria ? { selectionCriteria } : {}),
    }),
  );

const SUBSCRIPTION = { DestinationArn: 'arn:aws:lambda:us-east-1:123456789012:function:ship', FilterPattern: '' };
const TRANSFORMER = [{ parseJSON: {} }];
const MASKING = { Name: 'mask', Version: '2021-06-01', Statement: [] };

describe('account policies and group settings, end to end', () => {
  it.each([
    { type: 'SUBSCRIPTION_FILTER_POLICY', doc: SUBSCRIPTION, reason: 'account-subscription-policy' },
    { type: 'METRIC_EXTRACTION_POLICY', doc: { MetricName: 'x' }, reason: 'account-metric-policy' },
    { type: 'TRANSFORMER_POLICY', doc: { transformerConfig: TRANSFORMER }, reason: 'transformed' },
    { type: 'DATA_PROTECTION_POLICY', doc: MASKING, reason: 'account-data-protected' },
  ] as const)(
    'an account $type keeps the straddling stream (reason $reason) and still deletes the expired ones',
    async ({ type, doc, reason }) => {
      const seeded = seedOrders(sandbox);
      await putPolicy(type, doc);
      const out = await run();
      expect(streamPlan(out, 'straddling')).toMatchObject({ action: 'skip', reason });
      expect(out.result?.outcome).toBe('done');
      expect(countWork(sandbox, 'PutLogEvents')).toBe(0);
      expect(sandbox.objects('archive', 'cwl-archive/journal/')).toEqual([]);
      expectInvariant(sandbox, seeded, out.plan.cutoffMs, { untouched: ['straddling'] });
      expect(sandbox.streamNames(GROUP).filter((n) => EXPIRED.includes(n))).toEqual([]);
    },
  );

  it("UNMASK=true rebuilds under the account's data protection policy and puts the original values back", async () => {
    const seeded = seedOrders(sandbox);
    await putPolicy('DATA_PROTECTION_POLICY', MASKING);
    const secret = 'card 4111111111111111';
    const events = seeded.get('straddling')!.map((e) => ({ ...e, message: `${e.message} ${secret}` }));
    sandbox.seedStream(GROUP, 'secret', events);
    const out = await run({ unmask: true });
    expect(streamPlan(out, 'secret')?.action).toBe('rebuild');
    expect(out.result?.outcome).toBe('done');
    expect(sandbox.events(GROUP, 'secret').every((e) => e.message.includes('4111111111111111'))).toBe(true);
  });

  it('ALLOW_FILTERED_GROUPS accepts an account subscription policy, as it does a group filter', async () => {
    seedOrders(sandbox);
    await putPolicy('SUBSCRIPTION_FILTER_POLICY', SUBSCRIPTION);
    const out = await run({ allowFilteredGroups: true });
    expect(streamPlan(out, 'straddling')?.action).toBe('rebuild');
  });

  it('an account subscription policy that excludes the group changes nothing', async () => {
    seedOrders(sandbox);
    await putPolicy('SUBSCRIPTION_FILTER_POLICY', SUBSCRIPTION, `LogGroupName NOT IN ["${GROUP}"]`);
    const out = await run();
    expect(streamPlan(out, 'straddling')?.action).toBe('rebuild');
  });

  it("the group's own transformer keeps the straddling stream, whatever the settings", async () => {
    seedOrders(sandbox);
    await clients.logs.send(new PutTransformerCommand({ logGroupIdentifier: GROUP, transformerConfig: TRANSFORMER }));
    const out = await run({ allowFilteredGroups: true, unmask: true });
    expect(streamPlan(out, 'straddling')).toMatchObject({ action: 'skip', reason: 'transformed' });
  });

  it('unreadable account policies keep the straddling stream (reason account-policies-unknown)', async () => {
    seedOrders(sandbox);
    sandbox.injectFault({
      operation: 'DescribeAccountPolicies',
      error: { name: 'AccessDeniedException', status: 400 },
    });
    const out = await run();
    expect(streamPlan(out, 'straddling')).toMatchObject({ action: 'skip', reason: 'account-policies-unknown' });
    expect(out.result?.outcome).toBe('done');
  });

  it('a deletion-protected group is archived, but no stream is deleted or journaled', async () => {
    const seeded = seedOrders(sandbox);
    await clients.logs.send(
      new PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: GROUP, deletionProtectionEnabled: true }),
    );
    const out = await run();
    const reasons = new Set(
      out.plan.groups[0]!.streams.filter((s) => s.action !== 'keep').map((s) => `${s.action}:${s.reason}`),
    );
    expect([...reasons]).toEqual(['skip:deletion-protected']);
    expect(out.result?.outcome).toBe('done');
    expect(countWork(sandbox, 'DeleteLogStream')).toBe(0);
    expect(sandbox.objects('archive', 'cwl-archive/journal/')).toEqual([]);
    expectInvariant(sandbox, seeded, out.plan.cutoffMs, { untouched: [...seeded.keys()] });
  });

  it("an account retention policy is the group's effective retention, and the retention strategy does not fight it", async () => {
    // The group itself never expires; the account policy sets 30 days (DescribeLogGroups reports it,
    // with retentionPolicyName), and PutRetentionPolicy would not change what CloudWatch keeps.
    seedOrders(sandbox);
    await putPolicy('RETENTION_POLICY', { retentionInDays: 30, enforcementMode: 'RETROACTIVE' });
    const out = await run({ strategy: 'retention' });
    expect(out.plan.groups[0]!.retentionInDays).toBe(30);
    expect(out.plan.groups[0]!.retention).toMatchObject({ safe: false });
    expect(out.plan.groups[0]!.retention?.detail).toMatch(/account retention policy account-retention_policy/);
    expect(countWork(sandbox, 'PutRetentionPolicy')).toBe(0);
  });

  it('an account retention policy that may apply counts as the retention, even where the group does not report it', async () => {
    // NEW_ONLY leaves groups created before it alone, and DescribeLogGroups says nothing of it for them;
    // cwl-trim cannot tell the policy's age from the group's for certain, so it takes the shorter retention.
    seedOrders(sandbox);
    await putPolicy('RETENTION_POLICY', { retentionInDays: 30, enforcementMode: 'NEW_ONLY' });
    const out = await run({ dryRun: true });
    expect(out.plan.groups[0]!.retentionInDays).toBe(30);
    expect(streamPlan(out, 'straddling')?.estimate.stayMonths).toBeCloseTo(23 / 30.44);
  });

  it('with Intelligent-Tiering on the account, prices the removed data at the tier prices: less saved', async () => {
    seedOrders(sandbox);
    const lifetime = (out: Awaited<ReturnType<typeof run>>) =>
      out.plan.groups[0]!.streams.filter((s) => s.action === 'delete').reduce(
        (n, s) => n + s.estimate.lifetimeSavingUsd,
        0,
      );
    const standard = await run({ dryRun: true });
    await clients.logs.send(new PutStorageTierPolicyCommand({ storageTier: 'INTELLIGENT_TIERING' }));
    const tiered = await run({ dryRun: true });
    expect(standard.plan.groups[0]!.storageTier).toBe('STANDARD');
    expect(tiered.plan.groups[0]!.storageTier).toBe('INTELLIGENT_TIERING');
    expect(lifetime(tiered)).toBeLessThan(lifetime(standard));
  });

  it('skips an ESSENTIALS group entirely, with no stream listed and no export', async () => {
    sandbox.seedGroup('/essentials/group', { creationTimeMs: NOW - 30 * MS_PER_DAY, logGroupClass: 'ESSENTIALS' });
    sandbox.seedStream('/essentials/group', 'old', history('old', NOW - 20 * MS_PER_DAY, NOW - 19 * MS_PER_DAY, HOUR));
    const out = await run();
    expect(out.plan.groups[0]).toMatchObject({
      logGroupName: '/essentials/group',
      skip: { reason: 'unsupported-class' },
    });
    expect(countWork(sandbox, 'CreateExportTask')).toBe(0);
    expect(countWork(sandbox, 'DescribeLogStreams')).toBe(0);
  });
});
