import { describe, expect, it } from 'vitest';
import { appliesTo } from '../../../src/aws/accountPolicies.js';
import { classSkip, guardRetention, guardStream, planGroupDeletion } from '../../../src/plan/groupGuards.js';
import { planGroup } from '../../../src/plan/planRun.js';
import type { GroupExtras } from '../../../src/types.js';
import type { StreamPlan } from '../../../src/plan/planTypes.js';
import { NOW, configFactory, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const NONE: GroupExtras = {
  accountSubscriptionPolicies: [],
  accountMetricPolicies: [],
  transformers: [],
  accountDataProtection: false,
  deletionProtected: false,
  storageTier: 'STANDARD',
};
const ESTIMATE = {
  storedBytes: 1,
  removeStoredBytes: 1,
  reputBytes: 1,
  reputCostUsd: 0,
  monthlySavingUsd: 0,
  paybackMonths: 0,
  cloudWatchMonthlyUsd: 0,
  archiveMonthlyUsd: 0,
  stayMonths: 0,
  lifetimeSavingUsd: 0,
};
const plan = (action: StreamPlan['action']): StreamPlan => ({
  logStreamName: 's',
  action,
  reason: action === 'rebuild' ? 'straddling' : 'expired',
  detail: 'd',
  snapshot: streamFactory('s', 10, 1),
  estimate: ESTIMATE,
  requiresArchivedThroughMs: 5,
});
const settings = { allowFilteredGroups: false, unmask: false };
const withExtras = (extras: Partial<GroupExtras>) => groupFactory({ extras: { ...NONE, ...extras } });

describe('classSkip', () => {
  it.each(['ESSENTIALS', 'SOME_FUTURE_CLASS'])('skips a %s group as an unsupported class', (logGroupClass) => {
    expect(classSkip({ logGroupClass })?.reason).toBe('unsupported-class');
  });
  it('keeps the documented reasons of Infrequent Access and Delivery, and lets STANDARD through', () => {
    expect(classSkip({ logGroupClass: 'INFREQUENT_ACCESS' })?.reason).toBe('infrequent-access');
    expect(classSkip({ logGroupClass: 'DELIVERY' })?.reason).toBe('delivery-class');
    expect(classSkip({ logGroupClass: 'STANDARD' })).toBeUndefined();
  });
  it('an ESSENTIALS group is planned as a skip, with no export', () => {
    const g = planGroup(
      {
        group: groupFactory({ logGroupClass: 'ESSENTIALS' }),
        streams: [streamFactory('old', 30, 20)],
        state: stateFactory(),
      },
      configFactory(),
      NOW,
    );
    expect(g).toMatchObject({ skip: { reason: 'unsupported-class' }, streams: [] });
    expect(g.exportWindow).toBeUndefined();
  });
});

describe('guardStream', () => {
  it.each([
    [{ accountSubscriptionPolicies: ['ship'] }, 'account-subscription-policy'],
    [{ accountMetricPolicies: ['count'] }, 'account-metric-policy'],
    [{ accountDataProtection: true }, 'account-data-protected'],
    [{ transformers: ['(group transformer)'] }, 'transformed'],
    [{ accountPoliciesUnreadable: 'DescribeAccountPolicies: AccessDeniedException' }, 'account-policies-unknown'],
  ] as const)('turns a rebuild into a skip for %o (reason %s), and leaves a delete alone', (extras, reason) => {
    const group = withExtras(extras);
    const guarded = guardStream(plan('rebuild'), group, settings);
    expect(guarded).toMatchObject({ action: 'skip', reason, estimate: ESTIMATE });
    expect(guarded.requiresArchivedThroughMs).toBeUndefined();
    expect(guardStream(plan('delete'), group, settings)).toEqual(plan('delete'));
  });

  it('ALLOW_FILTERED_GROUPS and UNMASK accept the account twins of the group filters and masking, not a transformer', () => {
    const open = { allowFilteredGroups: true, unmask: true };
    for (const extras of [
      { accountSubscriptionPolicies: ['a'] },
      { accountMetricPolicies: ['m'] },
      { accountDataProtection: true },
      { accountPoliciesUnreadable: 'x' },
    ]) {
      expect(guardStream(plan('rebuild'), withExtras(extras), open).action).toBe('rebuild');
    }
    expect(guardStream(plan('rebuild'), withExtras({ transformers: ['t'] }), open).reason).toBe('transformed');
  });

  it('deletion protection skips deletes and rebuilds alike, and nothing else', () => {
    const group = withExtras({ deletionProtected: true });
    expect(guardStream(plan('delete'), group, settings)).toMatchObject({
      action: 'skip',
      reason: 'deletion-protected',
    });
    expect(guardStream(plan('rebuild'), group, settings)).toMatchObject({
      action: 'skip',
      reason: 'deletion-protected',
    });
    const keep = { ...plan('keep'), reason: 'current' as const };
    expect(guardStream(keep, group, settings)).toBe(keep);
  });

  it('without extras (not read) changes nothing', () => {
    expect(guardStream(plan('rebuild'), groupFactory(), settings)).toEqual(plan('rebuild'));
  });
});

describe('guardRetention', () => {
  const change = {
    targetDays: 7,
    safe: true,
    detail: 'set retention never expire → 7 days once the archive is verified',
  };
  it('marks the change unsafe when an account retention policy governs the group', () => {
    expect(guardRetention(change, withExtras({ retentionPolicyName: 'org-90' }))).toMatchObject({
      safe: false,
      detail: expect.stringContaining('org-90'),
    });
    expect(guardRetention(change, withExtras({}))).toBe(change);
  });
});

describe('appliesTo (account policy selection criteria)', () => {
  const policy = (selectionCriteria?: string) => ({
    name: 'p',
    type: 'SUBSCRIPTION_FILTER_POLICY' as const,
    ...(selectionCriteria ? { selectionCriteria } : {}),
  });
  it('reads LogGroupName NOT IN and LogGroupNamePrefix IN, and takes anything else to apply', () => {
    expect(appliesTo(policy(), '/a')).toBe(true);
    expect(appliesTo(policy('LogGroupName NOT IN ["/a", "/b"]'), '/a')).toBe(false);
    expect(appliesTo(policy('LogGroupName NOT IN ["/a", "/b"]'), '/c')).toBe(true);
    expect(appliesTo(policy('LogGroupNamePrefix IN ["/aws/"]'), '/aws/lambda/x')).toBe(true);
    expect(appliesTo(policy('LogGroupNamePrefix IN ["/aws/"]'), '/app')).toBe(false);
    expect(appliesTo(policy('DataSourceName = "x" AND DataSourceType = "y"'), '/app')).toBe(true);
    expect(appliesTo(policy('LogGroupName NOT IN [broken'), '/app')).toBe(true);
  });
});

describe('planGroupDeletion (DELETE_EMPTY_GROUPS)', () => {
  const window = {
    fromMs: 0,
    toMs: NOW - 10 * 86_400_000,
    taskId: 't',
    destinationPrefix: 'p',
    taskCreatedAtMs: NOW - 9 * 86_400_000,
    objectCount: 1,
    bytes: 1,
  };
  const empty = {
    group: groupFactory({ storedBytes: 0, extras: { ...NONE, filterCount: 0 } }),
    streams: { length: 0 },
    state: stateFactory(undefined, { archivedThroughMs: window.toMs, windows: [window] }),
  };
  const on = { deleteEmptyGroups: true };

  it('deletes an empty group archived from its first window on, with nothing left to finish', () => {
    expect(planGroupDeletion(empty, on, false)).toMatchObject({
      detail: expect.stringContaining('DELETE_EMPTY_GROUPS'),
    });
  });

  it.each([
    ['the setting is off', empty, { deleteEmptyGroups: false }, false],
    ['a stream is left', { ...empty, streams: { length: 1 } }, on, false],
    ['bytes are still stored', { ...empty, group: { ...empty.group, storedBytes: 1 } }, on, false],
    ['a rebuild of it is unfinished', empty, on, true],
    ['a filter is left', { ...empty, group: { ...empty.group, extras: { ...NONE, filterCount: 1 } } }, on, false],
    ['its filters were not read', { ...empty, group: { ...empty.group, extras: { ...NONE } } }, on, false],
    [
      'it is deletion-protected',
      { ...empty, group: { ...empty.group, extras: { ...NONE, filterCount: 0, deletionProtected: true } } },
      on,
      false,
    ],
    ['it was never archived', { ...empty, state: stateFactory() }, on, false],
    [
      'its state lists no window',
      { ...empty, state: stateFactory(undefined, { archivedThroughMs: window.toMs }) },
      on,
      false,
    ],
    [
      'an export is in flight',
      {
        ...empty,
        state: {
          ...empty.state,
          inFlight: { fromMs: window.toMs + 1, toMs: NOW, destinationPrefix: 'q', intentAtMs: NOW },
        },
      },
      on,
      false,
    ],
  ])('keeps the group when %s', (_why, entry, config, pendingRebuild) => {
    expect(planGroupDeletion(entry, config, pendingRebuild)).toBeUndefined();
  });
});
