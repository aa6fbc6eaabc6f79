/**
 * The account-level settings that change what cwl-trim may do to any group: account policies
 * (DescribeAccountPolicies, one listing per type) and the storage tier (GetStorageTierPolicy). Read
 * once per run; {@link policiesFor} says which policies apply to one group.
 */
import {
  DescribeAccountPoliciesCommand,
  GetStorageTierPolicyCommand,
  type AccountPolicy,
  type DescribeAccountPoliciesCommandInput,
  type PolicyType,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Deps } from '../deps.js';
import type { StorageTierName } from '../types.js';
import { callAws, errorName } from './callAws.js';
import { paginate } from './paginate.js';

type AccountDeps = Pick<Deps, 'clients' | 'call'>;

/** The policy types whose effect cwl-trim guards against (FIELD_INDEX_POLICY changes nothing it does). */
const GUARDED_TYPES = [
  'SUBSCRIPTION_FILTER_POLICY',
  'METRIC_EXTRACTION_POLICY',
  'TRANSFORMER_POLICY',
  'DATA_PROTECTION_POLICY',
  'RETENTION_POLICY',
] as const satisfies readonly PolicyType[];

type GuardedType = (typeof GUARDED_TYPES)[number];

interface AccountPolicyInfo {
  readonly name: string;
  readonly type: GuardedType;
  /** As DescribeAccountPolicies gives it; absent means every group. */
  readonly selectionCriteria?: string;
  /** RETENTION_POLICY only: days, or undefined for NEVER_EXPIRE or a document cwl-trim cannot read. */
  readonly retentionInDays?: number;
}

interface AccountSettings {
  readonly policies: readonly AccountPolicyInfo[];
  /** The error that kept the policies from being read (then they are unknown, not absent). */
  readonly policiesUnreadable?: string;
  readonly storageTier: StorageTierName;
  /** The error that kept the storage tier from being read (STANDARD prices are then used). */
  readonly storageTierUnreadable?: string;
}

function retentionDaysOf(document: string | undefined): number | undefined {
  try {
    const days = (JSON.parse(document ?? '{}') as { retentionInDays?: unknown }).retentionInDays;
    return typeof days === 'number' ? days : undefined;
  } catch {
    return undefined;
  }
}

function toInfo(type: GuardedType, p: AccountPolicy): AccountPolicyInfo {
  const retentionInDays = type === 'RETENTION_POLICY' ? retentionDaysOf(p.policyDocument) : undefined;
  return {
    name: p.policyName ?? '(unnamed)',
    type,
    ...(p.selectionCriteria ? { selectionCriteria: p.selectionCriteria } : {}),
    ...(retentionInDays === undefined ? {} : { retentionInDays }),
  };
}

async function listPolicies(deps: AccountDeps, policyType: GuardedType): Promise<AccountPolicyInfo[]> {
  const pages = paginate(
    deps.call,
    {
      operation: 'DescribeAccountPolicies',
      send: (input: DescribeAccountPoliciesCommandInput) =>
        deps.clients.logs.send(new DescribeAccountPoliciesCommand(input)),
      inputToken: 'nextToken',
      outputToken: (page) => page.nextToken,
    },
    { policyType },
  );
  const found: AccountPolicyInfo[] = [];
  for await (const page of pages) found.push(...(page.accountPolicies ?? []).map((p) => toInfo(policyType, p)));
  return found;
}

async function readStorageTier(
  deps: AccountDeps,
): Promise<Pick<AccountSettings, 'storageTier' | 'storageTierUnreadable'>> {
  try {
    const out = await callAws(deps.call, 'GetStorageTierPolicy', () =>
      deps.clients.logs.send(new GetStorageTierPolicyCommand({})),
    );
    return { storageTier: out.storageTier === 'INTELLIGENT_TIERING' ? 'INTELLIGENT_TIERING' : 'STANDARD' };
  } catch (err) {
    return { storageTier: 'STANDARD', storageTierUnreadable: errorName(err) };
  }
}

/**
 * The account's guarded policies. A failed read is not fatal and not taken for "none": the settings
 * say it could not be read, and the guards assume the worst.
 *
 * @example const { policies } = await readAccountPolicies(deps);
 */
async function readAccountPolicies(
  deps: AccountDeps,
): Promise<Pick<AccountSettings, 'policies' | 'policiesUnreadable'>> {
  try {
    // The five listings at once: the limiter paces them, their round trips overlap.
    const lists = await Promise.all(GUARDED_TYPES.map((type) => listPolicies(deps, type)));
    return { policies: lists.flat() };
  } catch (err) {
    return { policies: [], policiesUnreadable: `DescribeAccountPolicies: ${errorName(err)}` };
  }
}

/** Policies and storage tier together (tests, tools). */
async function readAccountSettings(deps: AccountDeps): Promise<AccountSettings> {
  return { ...(await readAccountPolicies(deps)), ...(await readStorageTier(deps)) };
}

/** The quoted strings of a selection list, `["a", "b"]`; undefined when it is not one. */
function quotedList(text: string): string[] | undefined {
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) && list.every((x) => typeof x === 'string') ? list : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a policy's selection criteria take in the group. The documented forms are read
 * (`LogGroupName NOT IN [...]`, `LogGroupNamePrefix IN [...]`); anything else is taken to apply.
 *
 * @example appliesTo({ name: 'p', type: 'TRANSFORMER_POLICY', selectionCriteria: 'LogGroupNamePrefix IN ["/aws/"]' }, '/app') // false
 */
function appliesTo(policy: AccountPolicyInfo, logGroupName: string): boolean {
  const criteria = policy.selectionCriteria?.trim();
  if (!criteria) return true;
  const notIn = /^LogGroupName\s+NOT\s+IN\s+(\[.*\])$/is.exec(criteria);
  const notInList = notIn ? quotedList(notIn[1]!) : undefined;
  if (notInList) return !notInList.includes(logGroupName);
  const prefixes = /^LogGroupNamePrefix\s+IN\s+(\[.*\])$/is.exec(criteria);
  const prefixList = prefixes ? quotedList(prefixes[1]!) : undefined;
  if (prefixList) return prefixList.some((p) => logGroupName.startsWith(p));
  return true;
}

/** The account policies of one type that apply to a group. */
function policiesFor(account: AccountSettings, type: GuardedType, logGroupName: string): AccountPolicyInfo[] {
  return account.policies.filter((p) => p.type === type && appliesTo(p, logGroupName));
}

export { GUARDED_TYPES, appliesTo, policiesFor, readAccountPolicies, readAccountSettings, readStorageTier };
export type { AccountPolicyInfo, AccountSettings, GuardedType };
