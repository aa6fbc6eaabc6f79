/**
 * One group's account-level and own settings as plain data merged into its GroupInfo: which account
 * policies apply to it, its transformer, deletion protection and effective retention. The account's
 * settings are read once per run (the first group asks, the others wait for the same answer).
 */
import {
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  GetTransformerCommand,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Deps } from '../deps.js';
import type { GroupExtras, GroupInfo } from '../types.js';
import { policiesFor, readAccountPolicies, readStorageTier, type AccountSettings } from './accountPolicies.js';
import { callAws, errorName } from './callAws.js';

type SettingsDeps = Pick<Deps, 'clients' | 'call'>;

/** Marks the group's own transformer among the account's TRANSFORMER_POLICY names. */
const GROUP_TRANSFORMER = '(group transformer)';

/** Reads once per run: keyed by the run's call context, which every module of a run shares. */
const policiesByRun = new WeakMap<object, ReturnType<typeof readAccountPolicies>>();
const tierByRun = new WeakMap<object, ReturnType<typeof readStorageTier>>();

function once<T>(cache: WeakMap<object, Promise<T>>, deps: SettingsDeps, read: () => Promise<T>): Promise<T> {
  let value = cache.get(deps.call);
  if (!value) {
    value = read();
    cache.set(deps.call, value);
  }
  return value;
}

/** No account policy read: they only guard re-puts, and this group has no stream to rebuild. */
const NOT_NEEDED: Pick<AccountSettings, 'policies'> = { policies: [] };

/** The group's own transformer, if any; an unreadable one counts as present (it would transform re-puts). */
async function transformerOf(deps: SettingsDeps, logGroupName: string): Promise<string | undefined> {
  try {
    const out = await callAws(deps.call, 'GetTransformer', () =>
      deps.clients.logs.send(new GetTransformerCommand({ logGroupIdentifier: logGroupName })),
    );
    return (out.transformerConfig ?? []).length > 0 ? GROUP_TRANSFORMER : undefined;
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    return `(group transformer unknown: ${errorName(err)})`;
  }
}

/** Subscription + metric filters of a group (one page each is enough to know whether there is any). */
async function filterCountOf(deps: SettingsDeps, logGroupName: string): Promise<number> {
  const subs = await callAws(deps.call, 'DescribeSubscriptionFilters', () =>
    deps.clients.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName })),
  );
  const metrics = await callAws(deps.call, 'DescribeMetricFilters', () =>
    deps.clients.logs.send(new DescribeMetricFiltersCommand({ logGroupName, limit: 50 })),
  );
  return (subs.subscriptionFilters?.length ?? 0) + (metrics.metricFilters?.length ?? 0);
}

/**
 * The retention CloudWatch applies: the group's as DescribeLogGroups reports it (an account policy's,
 * when `retentionPolicyName` is set), or shorter when an account RETENTION_POLICY may apply. Shorter
 * is the safe side: it only narrows the window a rebuild may put events back in.
 */
function effectiveRetention(g: LogGroup, account: AccountSettings): number | undefined {
  const days = policiesFor(account, 'RETENTION_POLICY', g.logGroupName ?? '')
    .map((p) => p.retentionInDays)
    .filter((d): d is number => d !== undefined);
  if (g.retentionInDays !== undefined) days.push(g.retentionInDays);
  return days.length === 0 ? undefined : Math.min(...days);
}

/**
 * What account policies and the group's settings mean for one group, merged into its GroupInfo:
 * `{ ...toGroupInfo(g), ...(await readGroupExtras(deps, g, { rebuildCandidate })) }`. Account policies
 * (once per run) and the transformer are only asked about when they can change a decision: for a
 * group with a stream to rebuild, as the group's filters are. The storage tier is read once per run.
 *
 * @example const extras = await readGroupExtras(deps, logGroup, { rebuildCandidate: straddles });
 */
async function readGroupExtras(
  deps: SettingsDeps,
  g: LogGroup,
  options: {
    readonly rebuildCandidate: boolean;
    /** DELETE_EMPTY_GROUPS and no stream: its filters are read, since they decide whether it may go. */
    readonly emptyGroupCandidate?: boolean;
  },
): Promise<Pick<GroupInfo, 'extras' | 'retentionInDays'>> {
  const name = g.logGroupName ?? '';
  // Independent reads, at once: each waits only for its own limiter.
  const [tier, policies, own, filterCount] = await Promise.all([
    once(tierByRun, deps, () => readStorageTier(deps)),
    options.rebuildCandidate ? once(policiesByRun, deps, () => readAccountPolicies(deps)) : NOT_NEEDED,
    options.rebuildCandidate ? transformerOf(deps, name) : undefined,
    options.emptyGroupCandidate === true ? filterCountOf(deps, name) : undefined,
  ]);
  const account: AccountSettings = { ...policies, ...tier };
  const policyNames = (type: Parameters<typeof policiesFor>[1]): string[] =>
    policiesFor(account, type, name).map((p) => p.name);
  const extras: GroupExtras = {
    accountSubscriptionPolicies: policyNames('SUBSCRIPTION_FILTER_POLICY'),
    accountMetricPolicies: policyNames('METRIC_EXTRACTION_POLICY'),
    transformers: [...policyNames('TRANSFORMER_POLICY'), ...(own ? [own] : [])],
    accountDataProtection:
      (g.inheritedProperties ?? []).includes('ACCOUNT_DATA_PROTECTION') ||
      policyNames('DATA_PROTECTION_POLICY').length > 0,
    deletionProtected: g.deletionProtectionEnabled === true,
    ...(g.retentionPolicyName ? { retentionPolicyName: g.retentionPolicyName } : {}),
    storageTier: account.storageTier,
    ...(account.policiesUnreadable === undefined ? {} : { accountPoliciesUnreadable: account.policiesUnreadable }),
    ...(filterCount === undefined ? {} : { filterCount }),
  };
  const retentionInDays = effectiveRetention(g, account);
  return { extras, ...(retentionInDays === undefined ? {} : { retentionInDays }) };
}

export { GROUP_TRANSFORMER, readGroupExtras };
