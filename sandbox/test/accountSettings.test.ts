import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteAccountPolicyCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeAccountPoliciesCommand,
  DescribeLogGroupsCommand,
  GetStorageTierPolicyCommand,
  GetTransformerCommand,
  PutAccountPolicyCommand,
  PutLogGroupDeletionProtectionCommand,
  PutRetentionPolicyCommand,
  PutStorageTierPolicyCommand,
  PutTransformerCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { createSandboxClock } from '../src/index.js';
import { expectAwsError, useSandbox } from './helpers/sandboxHarness.js';

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const clock = createSandboxClock(T0, { frozen: true });
const h = useSandbox({ clock, quotasTps: false });

const describeGroup = async (name: string) =>
  (await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }))).logGroups?.find(
    (g) => g.logGroupName === name,
  );

describe('sandbox: account policies, transformers, deletion protection, storage tier', () => {
  it('stores account policies by type and name, lists them by type, deletes them', async () => {
    await h.logs.send(
      new PutAccountPolicyCommand({
        policyName: 'ship',
        policyType: 'SUBSCRIPTION_FILTER_POLICY',
        policyDocument: '{"DestinationArn":"arn:x"}',
        selectionCriteria: 'LogGroupName NOT IN ["/quiet"]',
      }),
    );
    const listed = await h.logs.send(new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }));
    expect(listed.accountPolicies).toMatchObject([
      { policyName: 'ship', selectionCriteria: 'LogGroupName NOT IN ["/quiet"]', accountId: '123456789012' },
    ]);
    expect(
      (await h.logs.send(new DescribeAccountPoliciesCommand({ policyType: 'TRANSFORMER_POLICY' }))).accountPolicies,
    ).toEqual([]);
    await h.logs.send(new DeleteAccountPolicyCommand({ policyName: 'ship', policyType: 'SUBSCRIPTION_FILTER_POLICY' }));
    expect(
      (await h.logs.send(new DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' })))
        .accountPolicies,
    ).toEqual([]);
  });

  it('refuses selectionCriteria on a type that does not take it', async () => {
    await expectAwsError(
      h.logs.send(
        new PutAccountPolicyCommand({
          policyName: 'm',
          policyType: 'DATA_PROTECTION_POLICY',
          policyDocument: '{}',
          selectionCriteria: 'LogGroupName NOT IN []',
        }),
      ),
      'InvalidParameterException',
    );
  });

  it("an account retention policy sets what DescribeLogGroups reports: the group's own retention no longer counts", async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
    await h.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/app', retentionInDays: 3653 }));
    await h.logs.send(
      new PutAccountPolicyCommand({
        policyName: 'org-30',
        policyType: 'RETENTION_POLICY',
        policyDocument: '{"retentionInDays":30,"enforcementMode":"RETROACTIVE"}',
      }),
    );
    expect(await describeGroup('/app')).toMatchObject({ retentionInDays: 30, retentionPolicyName: 'org-30' });
  });

  it('a NEW_ONLY retention policy leaves groups created before it alone', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/old' }));
    clock.advance(1_000);
    await h.logs.send(
      new PutAccountPolicyCommand({
        policyName: 'new-only',
        policyType: 'RETENTION_POLICY',
        policyDocument: '{"retentionInDays":60,"enforcementMode":"NEW_ONLY"}',
      }),
    );
    clock.advance(1_000);
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/new' }));
    expect((await describeGroup('/old'))?.retentionPolicyName).toBeUndefined();
    expect(await describeGroup('/new')).toMatchObject({ retentionInDays: 60, retentionPolicyName: 'new-only' });
  });

  it('an account data protection policy shows in every group as an inherited property', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
    await h.logs.send(
      new PutAccountPolicyCommand({ policyName: 'mask', policyType: 'DATA_PROTECTION_POLICY', policyDocument: '{}' }),
    );
    expect((await describeGroup('/app'))?.inheritedProperties).toEqual(['ACCOUNT_DATA_PROTECTION']);
  });

  it("keeps a group's transformer; GetTransformer on a group without one is ResourceNotFoundException", async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
    await expectAwsError(
      h.logs.send(new GetTransformerCommand({ logGroupIdentifier: '/app' })),
      'ResourceNotFoundException',
    );
    await h.logs.send(
      new PutTransformerCommand({ logGroupIdentifier: '/app', transformerConfig: [{ parseJSON: {} }] }),
    );
    expect((await h.logs.send(new GetTransformerCommand({ logGroupIdentifier: '/app' }))).transformerConfig).toEqual([
      { parseJSON: {} },
    ]);
  });

  it('deletion protection refuses DeleteLogStream and DeleteLogGroup until it is turned off', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/app', logStreamName: 's' }));
    await h.logs.send(
      new PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: '/app', deletionProtectionEnabled: true }),
    );
    expect((await describeGroup('/app'))?.deletionProtectionEnabled).toBe(true);
    await expectAwsError(
      h.logs.send(new DeleteLogStreamCommand({ logGroupName: '/app', logStreamName: 's' })),
      'ValidationException',
    );
    await expectAwsError(h.logs.send(new DeleteLogGroupCommand({ logGroupName: '/app' })), 'ValidationException');
    await h.logs.send(
      new PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: '/app', deletionProtectionEnabled: false }),
    );
    await h.logs.send(new DeleteLogGroupCommand({ logGroupName: '/app' }));
  });

  it('the storage tier is STANDARD until set to INTELLIGENT_TIERING', async () => {
    expect((await h.logs.send(new GetStorageTierPolicyCommand({}))).storageTier).toBe('STANDARD');
    await h.logs.send(new PutStorageTierPolicyCommand({ storageTier: 'INTELLIGENT_TIERING' }));
    expect((await h.logs.send(new GetStorageTierPolicyCommand({}))).storageTier).toBe('INTELLIGENT_TIERING');
  });
});
