/**
 * Log group operations: create, delete, describe, retention.
 */
import { SANDBOX_DESCRIBE_PAGE_LIMIT, SANDBOX_RETENTION_DAYS, SandboxLogGroupClass } from '../awsFacts.js';
import { invalidParameter, ServiceError, validationMessage } from '../errors.js';
import { groupArn, groupStoredBytes, newGroup, requireGroup } from '../state.js';
import type { LogGroup, SandboxState } from '../state.js';
import type { LogGroupClassName } from '../types.js';
import { byName, decodeToken, encodeToken, limitOf, optString, reqNumber, reqString } from './input.js';
import { endOfPrefix, firstIndex } from '../sortedIndex.js';
import type { Input } from './input.js';
import { accountFieldsOf, effectiveRetentionDays, refuseIfProtected } from './accountSettings.js';

/** AWS: 1–512 characters of `[.-_/#A-Za-z0-9]`. */
const GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const CLASSES: readonly string[] = Object.values(SandboxLogGroupClass);

function logGroupClassOf(input: Input): LogGroupClassName | undefined {
  const value = optString(input, 'logGroupClass');
  if (value === undefined) return undefined;
  if (!CLASSES.includes(value)) {
    throw invalidParameter(
      validationMessage('logGroupClass', value, `Member must satisfy enum value set: [${CLASSES.join(', ')}]`),
    );
  }
  return value as LogGroupClassName;
}

function tagsOf(input: Input, key: string): Map<string, string> {
  const raw = input[key];
  if (raw === undefined || raw === null) return new Map();
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter(`Expected ${key} to be a map.`);
  return new Map(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function createLogGroup(state: SandboxState, input: Input): object {
  const name = reqString(input, 'logGroupName');
  if (!GROUP_NAME_PATTERN.test(name)) {
    throw invalidParameter(
      validationMessage('logGroupName', name, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+'),
    );
  }
  if (state.groups.has(name)) {
    throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
  }
  const group = newGroup(name, state.clock.now(), true);
  group.logGroupClass = logGroupClassOf(input) ?? SandboxLogGroupClass.Standard;
  const kmsKeyId = optString(input, 'kmsKeyId');
  if (kmsKeyId !== undefined) group.kmsKeyId = kmsKeyId;
  group.tags = tagsOf(input, 'tags');
  state.groups.set(name, group);
  return {};
}

function deleteLogGroup(state: SandboxState, input: Input): object {
  const name = reqString(input, 'logGroupName');
  refuseIfProtected(requireGroup(state, name), 'log group');
  state.groups.delete(name);
  return {};
}

function describeGroup(state: SandboxState, group: LogGroup): Record<string, unknown> {
  const arn = groupArn(state, group.name);
  const retentionInDays = effectiveRetentionDays(state, group);
  return {
    logGroupName: group.name,
    creationTime: group.creationTime,
    ...(retentionInDays !== undefined && { retentionInDays }),
    metricFilterCount: group.metricFilters.size,
    arn: `${arn}:*`,
    storedBytes: groupStoredBytes(group),
    ...(group.kmsKeyId !== undefined && { kmsKeyId: group.kmsKeyId }),
    ...(group.dataProtection !== undefined && { dataProtectionStatus: 'ACTIVATED' }),
    logGroupClass: group.logGroupClass,
    logGroupArn: arn,
    ...accountFieldsOf(state, group),
  };
}

function describeLogGroups(state: SandboxState, input: Input): object {
  const prefix = optString(input, 'logGroupNamePrefix');
  const pattern = optString(input, 'logGroupNamePattern');
  if (prefix !== undefined && pattern !== undefined) {
    throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  }
  const wantedClass = logGroupClassOf(input);
  const needle = pattern?.toLowerCase();
  const limit = limitOf(input, SANDBOX_DESCRIBE_PAGE_LIMIT);
  const token = optString(input, 'nextToken');
  let after: string | undefined;
  if (token !== undefined) {
    const key = decodeToken(token);
    if (!byName.isKey(key)) throw invalidParameter('The specified nextToken is invalid.');
    after = key;
  }
  // From the sorted index: a binary search to the token, then only the groups the page needs.
  const keys = state.groups.byName.keys();
  const from = prefix ?? '';
  const end = endOfPrefix(keys, from);
  const found: LogGroup[] = [];
  for (
    let i = Math.max(
      firstIndex(keys, (k) => k >= from),
      after === undefined ? 0 : firstIndex(keys, (k) => k > after),
    );
    i < end;
    i++
  ) {
    const g = state.groups.get(keys[i]!);
    if (g === undefined) continue;
    if (needle !== undefined && !g.name.toLowerCase().includes(needle)) continue;
    if (wantedClass !== undefined && g.logGroupClass !== wantedClass) continue;
    found.push(g);
    if (found.length > limit) break;
  }
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const nextToken = found.length > limit && last !== undefined ? encodeToken(last.name) : undefined;
  return { logGroups: page.map((g) => describeGroup(state, g)), ...(nextToken !== undefined && { nextToken }) };
}

function putRetentionPolicy(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const days = reqNumber(input, 'retentionInDays');
  if (!(SANDBOX_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw invalidParameter(
      validationMessage(
        'retentionInDays',
        days,
        `Member must satisfy enum value set: [${SANDBOX_RETENTION_DAYS.join(', ')}]`,
      ),
    );
  }
  group.retentionInDays = days;
  return {};
}

function deleteRetentionPolicy(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  delete group.retentionInDays;
  return {};
}

export { createLogGroup, deleteLogGroup, deleteRetentionPolicy, describeLogGroups, putRetentionPolicy, tagsOf };
