/**
 * Account-level settings and the group settings that go with them: account policies
 * (Put/Describe/DeleteAccountPolicy), transformers (Put/Get/DeleteTransformer), deletion protection
 * (PutLogGroupDeletionProtection, and DeleteLogStream / DeleteLogGroup refused while it is on) and the
 * storage tier (Get/PutStorageTierPolicy). DescribeLogGroups shows their effect on a group:
 * `inheritedProperties`, `deletionProtectionEnabled`, `retentionPolicyName` with the policy's retention.
 * The sandbox's own reading of the API reference; it imports nothing of cwl-trim.
 */
import { invalidParameter, resourceNotFound, ServiceError, validationMessage } from '../errors.js';
import { groupNameFromIdentifier, requireGroup } from '../state.js';
import type { AccountPolicyRecord, LogGroup, SandboxState } from '../state.js';
import { optBool, optString, reqString } from './input.js';
import type { Input } from './input.js';

const POLICY_TYPES = [
  'DATA_PROTECTION_POLICY',
  'SUBSCRIPTION_FILTER_POLICY',
  'FIELD_INDEX_POLICY',
  'TRANSFORMER_POLICY',
  'METRIC_EXTRACTION_POLICY',
  'RETENTION_POLICY',
] as const;
/** selectionCriteria is accepted for these types only (PutAccountPolicy). */
const SELECTABLE = new Set([
  'SUBSCRIPTION_FILTER_POLICY',
  'FIELD_INDEX_POLICY',
  'TRANSFORMER_POLICY',
  'RETENTION_POLICY',
]);
const STORAGE_TIERS = ['STANDARD', 'INTELLIGENT_TIERING'] as const;
/** What an account retention policy may set (PutAccountPolicy's reference). */
const ACCOUNT_RETENTION_DAYS = [
  30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const policyKey = (type: string, name: string): string => `${type}\u0000${name}`;

function policyTypeOf(input: Input): string {
  const type = reqString(input, 'policyType');
  if (!(POLICY_TYPES as readonly string[]).includes(type)) {
    throw invalidParameter(
      validationMessage('policyType', type, `Member must satisfy enum value set: [${POLICY_TYPES.join(', ')}]`),
    );
  }
  return type;
}

function checkRetentionDocument(document: string): void {
  let parsed: { retentionInDays?: unknown; enforcementMode?: unknown };
  try {
    parsed = JSON.parse(document) as typeof parsed;
  } catch {
    throw invalidParameter('The policy document is not valid JSON.');
  }
  const days = parsed.retentionInDays;
  if (days !== 'NEVER_EXPIRE' && !(typeof days === 'number' && ACCOUNT_RETENTION_DAYS.includes(days))) {
    throw invalidParameter('retentionInDays must be one of the allowed values or NEVER_EXPIRE.');
  }
  if (parsed.enforcementMode !== 'NEW_ONLY' && parsed.enforcementMode !== 'RETROACTIVE') {
    throw invalidParameter('enforcementMode must be NEW_ONLY or RETROACTIVE.');
  }
}

function putAccountPolicy(state: SandboxState, input: Input): object {
  const policyName = reqString(input, 'policyName');
  if (policyName.startsWith('aws/')) throw invalidParameter('The policy name cannot start with aws/.');
  const policyType = policyTypeOf(input);
  const policyDocument = reqString(input, 'policyDocument');
  const selectionCriteria = optString(input, 'selectionCriteria');
  if (selectionCriteria !== undefined && !SELECTABLE.has(policyType)) {
    throw invalidParameter(`selectionCriteria is not supported for ${policyType}.`);
  }
  if (policyType === 'RETENTION_POLICY') checkRetentionDocument(policyDocument);
  const record: AccountPolicyRecord = {
    policyName,
    policyType,
    policyDocument,
    scope: optString(input, 'scope') ?? 'ALL',
    lastUpdatedTime: state.clock.now(),
    ...(selectionCriteria !== undefined && { selectionCriteria }),
  };
  state.accountPolicies.set(policyKey(policyType, policyName), record);
  return { accountPolicy: { ...record, accountId: state.accountId } };
}

function describeAccountPolicies(state: SandboxState, input: Input): object {
  const policyType = policyTypeOf(input);
  const policyName = optString(input, 'policyName');
  const accountPolicies = [...state.accountPolicies.values()]
    .filter((p) => p.policyType === policyType && (policyName === undefined || p.policyName === policyName))
    .map((p) => ({ ...p, accountId: state.accountId }));
  return { accountPolicies };
}

function deleteAccountPolicy(state: SandboxState, input: Input): object {
  const key = policyKey(policyTypeOf(input), reqString(input, 'policyName'));
  if (!state.accountPolicies.has(key)) throw resourceNotFound('The specified policy does not exist.');
  state.accountPolicies.delete(key);
  return {};
}

/** The names a `LogGroupName NOT IN [...]` or `LogGroupNamePrefix IN [...]` criterion lists. */
function criterionList(criteria: string, pattern: RegExp): string[] | undefined {
  const match = pattern.exec(criteria.trim());
  if (!match) return undefined;
  const list = JSON.parse(match[1] ?? '[]') as unknown;
  return Array.isArray(list) ? list.map(String) : undefined;
}

/** Whether an account policy takes in the group (no criteria: every group). */
function policyApplies(policy: AccountPolicyRecord, group: LogGroup): boolean {
  const criteria = policy.selectionCriteria;
  if (criteria === undefined || criteria.trim() === '') return true;
  const excluded = criterionList(criteria, /^LogGroupName\s+NOT\s+IN\s+(\[.*\])$/is);
  if (excluded) return !excluded.includes(group.name);
  const prefixes = criterionList(criteria, /^LogGroupNamePrefix\s+IN\s+(\[.*\])$/is);
  if (prefixes) return prefixes.some((p) => group.name.startsWith(p));
  return false;
}

/**
 * The account retention policy that sets the group's retention: RETROACTIVE ones apply to every
 * selected group, NEW_ONLY ones to groups created after them. The newest applicable one wins.
 */
function governingRetentionPolicy(state: SandboxState, group: LogGroup): { name: string; days?: number } | undefined {
  const applicable = [...state.accountPolicies.values()]
    .filter((p) => p.policyType === 'RETENTION_POLICY' && policyApplies(p, group))
    .map((p) => ({
      p,
      doc: JSON.parse(p.policyDocument) as { retentionInDays: number | string; enforcementMode: string },
    }))
    .filter(({ p, doc }) => doc.enforcementMode === 'RETROACTIVE' || group.creationTime >= p.lastUpdatedTime)
    .sort((a, b) => b.p.lastUpdatedTime - a.p.lastUpdatedTime);
  const first = applicable[0];
  if (!first) return undefined;
  const days = first.doc.retentionInDays;
  return { name: first.p.policyName, ...(typeof days === 'number' && { days }) };
}

/** The retention CloudWatch applies to the group (an account policy's when one governs it). */
function effectiveRetentionDays(state: SandboxState, group: LogGroup): number | undefined {
  const policy = governingRetentionPolicy(state, group);
  return policy ? policy.days : group.retentionInDays;
}

/** Whether an account DATA_PROTECTION_POLICY masks every group's reads. */
function accountMasks(state: SandboxState): boolean {
  return [...state.accountPolicies.values()].some((p) => p.policyType === 'DATA_PROTECTION_POLICY');
}

/** What DescribeLogGroups adds to a group for account settings and deletion protection. */
function accountFieldsOf(state: SandboxState, group: LogGroup): Record<string, unknown> {
  const retention = governingRetentionPolicy(state, group);
  const inheritsMasking = accountMasks(state);
  return {
    ...(inheritsMasking && { inheritedProperties: ['ACCOUNT_DATA_PROTECTION'] }),
    ...(group.deletionProtection === true && { deletionProtectionEnabled: true }),
    ...(retention && { retentionPolicyName: retention.name }),
  };
}

function groupByIdentifier(state: SandboxState, input: Input): LogGroup {
  return requireGroup(state, groupNameFromIdentifier(state, reqString(input, 'logGroupIdentifier')));
}

function putTransformer(state: SandboxState, input: Input): object {
  const group = groupByIdentifier(state, input);
  const config = input['transformerConfig'];
  if (!Array.isArray(config) || config.length === 0)
    throw invalidParameter('transformerConfig must list at least one processor.');
  const now = state.clock.now();
  group.transformer = { config, creationTime: group.transformer?.creationTime ?? now, lastModifiedTime: now };
  return {};
}

function getTransformer(state: SandboxState, input: Input): object {
  const group = groupByIdentifier(state, input);
  if (!group.transformer) throw resourceNotFound('The specified transformer does not exist.');
  const { config, creationTime, lastModifiedTime } = group.transformer;
  return { logGroupIdentifier: input['logGroupIdentifier'], creationTime, lastModifiedTime, transformerConfig: config };
}

function deleteTransformer(state: SandboxState, input: Input): object {
  const group = groupByIdentifier(state, input);
  if (!group.transformer) throw resourceNotFound('The specified transformer does not exist.');
  delete group.transformer;
  return {};
}

function putLogGroupDeletionProtection(state: SandboxState, input: Input): object {
  const group = groupByIdentifier(state, input);
  const enabled = optBool(input, 'deletionProtectionEnabled');
  if (enabled === undefined) throw invalidParameter('deletionProtectionEnabled is required.');
  group.deletionProtection = enabled;
  return {};
}

/** Deletion protection "blocks all deletion operations": DeleteLogGroup's documented error, for streams too. */
function refuseIfProtected(group: LogGroup, what: 'log group' | 'log stream'): void {
  if (group.deletionProtection !== true) return;
  throw new ServiceError(
    'ValidationException',
    `Cannot delete ${what} with deletion protection enabled. Disable deletion protection first.`,
  );
}

function getStorageTierPolicy(state: SandboxState): object {
  return {
    storageTier: state.storageTier.tier,
    ...(state.storageTier.lastUpdatedTime !== undefined && { lastUpdatedTime: state.storageTier.lastUpdatedTime }),
  };
}

function putStorageTierPolicy(state: SandboxState, input: Input): object {
  const tier = reqString(input, 'storageTier');
  if (!(STORAGE_TIERS as readonly string[]).includes(tier)) {
    throw invalidParameter(
      validationMessage('storageTier', tier, `Member must satisfy enum value set: [${STORAGE_TIERS.join(', ')}]`),
    );
  }
  state.storageTier = { tier, lastUpdatedTime: state.clock.now() };
  return {};
}

export {
  accountFieldsOf,
  accountMasks,
  deleteAccountPolicy,
  deleteTransformer,
  describeAccountPolicies,
  effectiveRetentionDays,
  getStorageTierPolicy,
  getTransformer,
  putAccountPolicy,
  putLogGroupDeletionProtection,
  putStorageTierPolicy,
  putTransformer,
  refuseIfProtected,
};
