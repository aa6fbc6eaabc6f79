/**
 * Guards from account-level policies and group settings (GroupInfo.extras): the account's twins of
 * the group-level filter and data protection guards, transformers, deletion protection, an account
 * retention policy, and log classes cwl-trim cannot read. Pure: plain data in, plain data out.
 */
import { LogGroupClass } from '../constants.js';
import type { Config, GroupInfo, GroupState } from '../types.js';
import {
  GroupSkipReason,
  StreamAction,
  StreamReason,
  type GroupPlan,
  type RetentionChange,
  type StreamPlan,
  type StreamReasonCode,
} from './planTypes.js';

type GuardSettings = Pick<Config, 'allowFilteredGroups' | 'unmask'>;

const names = (list: readonly string[]): string => list.join(', ');

/**
 * A whole group cwl-trim leaves alone for its class. Only STANDARD supports everything cwl-trim needs;
 * INFREQUENT_ACCESS and DELIVERY are documented not to, and any other class (ESSENTIALS: "a subset of
 * features", with export and GetLogEvents not listed) is treated the same until the docs say otherwise.
 *
 * @example classSkip(groupFactory({ logGroupClass: 'ESSENTIALS' }))?.reason // 'unsupported-class'
 */
function classSkip(group: Pick<GroupInfo, 'logGroupClass'>): GroupPlan['skip'] {
  switch (group.logGroupClass) {
    case LogGroupClass.Standard:
      return undefined;
    case LogGroupClass.InfrequentAccess:
      return {
        reason: GroupSkipReason.InfrequentAccess,
        detail: 'Infrequent Access groups support neither export to S3 nor GetLogEvents; left untouched',
      };
    case LogGroupClass.Delivery:
      return {
        reason: GroupSkipReason.DeliveryClass,
        detail: 'Delivery class groups cannot be exported and keep events for one day; left untouched',
      };
    default:
      return {
        reason: GroupSkipReason.UnsupportedClass,
        detail: `the ${group.logGroupClass} class is not documented to support export to S3 and GetLogEvents; left untouched`,
      };
  }
}

/** Whether discovery lists a group's streams: not for a class whose groups are skipped whole. */
const readsStreams = (logGroupClass: string): boolean => classSkip({ logGroupClass }) === undefined;

/** Why a rebuild must not re-put this group's events, from account policies and transformers. */
function rebuildBlocked(
  group: GroupInfo,
  settings: GuardSettings,
): { reason: StreamReasonCode; detail: string } | undefined {
  const x = group.extras;
  if (!x) return undefined;
  if (x.transformers.length > 0) {
    return {
      reason: StreamReason.Transformed,
      detail: `re-put events would be transformed a second time by ${names(x.transformers)}; not rebuilt`,
    };
  }
  if (x.accountPoliciesUnreadable !== undefined && !(settings.allowFilteredGroups && settings.unmask)) {
    return {
      reason: StreamReason.AccountPoliciesUnknown,
      detail:
        `account policies could not be read (${x.accountPoliciesUnreadable}); an account subscription, metric ` +
        'or data protection policy may apply; allow logs:DescribeAccountPolicies',
    };
  }
  if (!settings.allowFilteredGroups && x.accountSubscriptionPolicies.length > 0) {
    return {
      reason: StreamReason.AccountSubscriptionPolicy,
      detail:
        `re-put events would be delivered again by the account subscription policy ${names(x.accountSubscriptionPolicies)}; ` +
        'set ALLOW_FILTERED_GROUPS=true to accept',
    };
  }
  if (!settings.allowFilteredGroups && x.accountMetricPolicies.length > 0) {
    return {
      reason: StreamReason.AccountMetricPolicy,
      detail:
        `re-put events would be counted again by the account metric extraction policy ${names(x.accountMetricPolicies)}; ` +
        'set ALLOW_FILTERED_GROUPS=true to accept',
    };
  }
  if (!settings.unmask && x.accountDataProtection) {
    return {
      reason: StreamReason.AccountDataProtected,
      detail:
        "the account's data protection policy masks reads: masked events would replace the originals; " +
        'set UNMASK=true (needs logs:Unmask)',
    };
  }
  return undefined;
}

/**
 * A stream's plan after the account and group-setting guards: a delete or rebuild of a deletion-
 * protected group, or a rebuild the account's policies or a transformer forbid, becomes a skip with
 * its reason (before any journal is saved). Other plans are returned as they are.
 *
 * @example guardStream(planStream(stream, ctx), group, config)
 */
function guardStream(plan: StreamPlan, group: GroupInfo, settings: GuardSettings): StreamPlan {
  if (plan.action !== StreamAction.Delete && plan.action !== StreamAction.Rebuild) return plan;
  const { requiresArchivedThroughMs: _dropped, ...rest } = plan;
  if (group.extras?.deletionProtected === true) {
    return {
      ...rest,
      action: StreamAction.Skip,
      reason: StreamReason.DeletionProtected,
      detail: 'deletion protection is on, so DeleteLogStream would be refused; disable it to trim this group',
    };
  }
  const blocked = plan.action === StreamAction.Rebuild ? rebuildBlocked(group, settings) : undefined;
  return blocked ? { ...rest, action: StreamAction.Skip, ...blocked } : plan;
}

/**
 * The retention strategy's change, unless an account RETENTION_POLICY governs the group: then
 * PutRetentionPolicy would not change what CloudWatch keeps, so the change is not safe to count on.
 */
function guardRetention(change: RetentionChange, group: GroupInfo): RetentionChange {
  const policy = group.extras?.retentionPolicyName;
  if (policy === undefined) return change;
  return {
    ...change,
    safe: false,
    detail: `the account retention policy ${policy} sets this group's retention; PutRetentionPolicy would not change it`,
  };
}

/**
 * DELETE_EMPTY_GROUPS: a group is deleted only when it has no stream left at discovery (streams this run
 * deletes leave the group to the next run, whose dry run shows it first), no subscription or metric
 * filter (read for it), no stored bytes, no deletion protection, no unfinished export or rebuild, and its
 * state says it was archived from its first event on (cwl-trim's first window starts before the group).
 *
 * @example planGroupDeletion({ group, streams, state }, config, hasPendingRebuild)
 */
function planGroupDeletion(
  entry: { readonly group: GroupInfo; readonly streams: { readonly length: number }; readonly state: GroupState },
  config: Pick<Config, 'deleteEmptyGroups'>,
  pendingRebuild: boolean,
): GroupPlan['deleteGroup'] {
  const { group, streams, state } = entry;
  if (config.deleteEmptyGroups !== true || streams.length > 0 || group.storedBytes > 0 || pendingRebuild)
    return undefined;
  if (group.extras?.filterCount !== 0 || group.extras.deletionProtected) return undefined;
  if (state.archivedThroughMs === undefined || state.windows.length === 0 || state.inFlight) return undefined;
  return {
    detail:
      `no stream and no filter left, archived through ${new Date(state.archivedThroughMs).toISOString()}: ` +
      'the group is deleted (DELETE_EMPTY_GROUPS)',
  };
}

export { classSkip, guardRetention, guardStream, planGroupDeletion, readsStreams, rebuildBlocked };
export type { GuardSettings };
