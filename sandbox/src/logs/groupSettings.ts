/**
 * What hangs off a log group besides its streams: tags (by ARN and the deprecated by-name calls)
 * and the data protection policy that masks what GetLogEvents returns.
 */
import { resourceNotFound, ServiceError } from '../errors.js';
import { groupArn, groupNameFromIdentifier, requireGroup } from '../state.js';
import type { LogGroup, SandboxState } from '../state.js';
import { tagsOf } from './groups.js';
import { reqString } from './input.js';
import type { Input } from './input.js';

/** AWS allows 50 tags on a log group. */
const MAX_TAGS = 50;

/**
 * The group a tagging ARN names. It must be the ARN without the trailing `:*` (what
 * `logGroupArn` holds); anything else names no resource.
 */
function groupByArn(state: SandboxState, input: Input): LogGroup {
  const arn = reqString(input, 'resourceArn');
  const prefix = groupArn(state, '');
  const group = arn.startsWith(prefix) ? state.groups.get(arn.slice(prefix.length)) : undefined;
  if (!group) throw resourceNotFound('The specified resource does not exist.');
  return group;
}

function addTags(group: LogGroup, tags: Map<string, string>): void {
  const merged = new Map([...group.tags, ...tags]);
  if (merged.size > MAX_TAGS)
    throw new ServiceError('TooManyTagsException', 'A resource can have no more than 50 tags.');
  group.tags = merged;
}

const tagsObject = (group: LogGroup): object => ({ tags: Object.fromEntries(group.tags) });

function keyList(input: Input, key: string): string[] {
  const raw = input[key];
  return Array.isArray(raw) ? raw.map(String) : [];
}

function listTagsForResource(state: SandboxState, input: Input): object {
  return tagsObject(groupByArn(state, input));
}

function tagResource(state: SandboxState, input: Input): object {
  addTags(groupByArn(state, input), tagsOf(input, 'tags'));
  return {};
}

function untagResource(state: SandboxState, input: Input): object {
  const group = groupByArn(state, input);
  for (const key of keyList(input, 'tagKeys')) group.tags.delete(key);
  return {};
}

function listTagsLogGroup(state: SandboxState, input: Input): object {
  return tagsObject(requireGroup(state, reqString(input, 'logGroupName')));
}

function tagLogGroup(state: SandboxState, input: Input): object {
  addTags(requireGroup(state, reqString(input, 'logGroupName')), tagsOf(input, 'tags'));
  return {};
}

function untagLogGroup(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  for (const key of keyList(input, 'tags')) group.tags.delete(key);
  return {};
}

function groupByIdentifier(state: SandboxState, input: Input): LogGroup {
  return requireGroup(state, groupNameFromIdentifier(state, reqString(input, 'logGroupIdentifier')));
}

function putDataProtectionPolicy(state: SandboxState, input: Input): object {
  const group = groupByIdentifier(state, input);
  const policyDocument = reqString(input, 'policyDocument');
  group.dataProtection = { policyDocument, lastUpdatedTime: state.clock.now() };
  return {
    logGroupIdentifier: input['logGroupIdentifier'],
    policyDocument,
    lastUpdatedTime: group.dataProtection.lastUpdatedTime,
  };
}

function getDataProtectionPolicy(state: SandboxState, input: Input): object {
  const group = groupByIdentifier(state, input);
  return { logGroupIdentifier: input['logGroupIdentifier'], ...group.dataProtection };
}

function deleteDataProtectionPolicy(state: SandboxState, input: Input): object {
  const group = groupByIdentifier(state, input);
  if (!group.dataProtection) throw resourceNotFound('The specified data protection policy does not exist.');
  delete group.dataProtection;
  return {};
}

export {
  deleteDataProtectionPolicy,
  getDataProtectionPolicy,
  listTagsForResource,
  listTagsLogGroup,
  putDataProtectionPolicy,
  tagLogGroup,
  tagResource,
  untagLogGroup,
  untagResource,
};
