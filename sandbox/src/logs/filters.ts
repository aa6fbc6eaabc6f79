/**
 * Subscription and metric filters: stored and described, never run. cwl-trim only needs to know
 * they exist (a re-put delivers events to subscribers again and counts them again).
 */
import { SANDBOX_DESCRIBE_PAGE_LIMIT } from '../awsFacts.js';
import { resourceNotFound, ServiceError } from '../errors.js';
import { requireGroup } from '../state.js';
import type { FilterRecord, LogGroup, SandboxState } from '../state.js';
import { byName, limitOf, optString, paginate, reqString } from './input.js';
import type { Input } from './input.js';

/** AWS allows two subscription filters per log group. */
const MAX_SUBSCRIPTION_FILTERS = 2;

function putSubscriptionFilter(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const filterName = reqString(input, 'filterName');
  if (!group.subscriptionFilters.has(filterName) && group.subscriptionFilters.size >= MAX_SUBSCRIPTION_FILTERS) {
    throw new ServiceError('LimitExceededException', 'Resource limit exceeded.');
  }
  const distribution = optString(input, 'distribution') ?? 'ByLogStream';
  const roleArn = optString(input, 'roleArn');
  group.subscriptionFilters.set(filterName, {
    filterName,
    filterPattern: optString(input, 'filterPattern') ?? '',
    destinationArn: reqString(input, 'destinationArn'),
    ...(roleArn !== undefined && { roleArn }),
    distribution,
    creationTime: state.clock.now(),
  });
  return {};
}

function putMetricFilter(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const filterName = reqString(input, 'filterName');
  group.metricFilters.set(filterName, {
    filterName,
    filterPattern: optString(input, 'filterPattern') ?? '',
    metricTransformations: input['metricTransformations'] ?? [],
    creationTime: state.clock.now(),
  });
  return {};
}

function deleteFrom(filters: Map<string, FilterRecord>, input: Input): object {
  const name = reqString(input, 'filterName');
  if (!filters.delete(name)) throw resourceNotFound('The specified filter does not exist.');
  return {};
}

function listFilters(
  groups: readonly LogGroup[],
  input: Input,
  pick: (g: LogGroup) => Map<string, FilterRecord>,
): { page: Record<string, unknown>[]; nextToken?: string } {
  const prefix = optString(input, 'filterNamePrefix');
  const rows = groups
    .flatMap((g) => [...pick(g).values()].map((f) => ({ ...f, logGroupName: g.name })))
    .filter((f) => prefix === undefined || f.filterName.startsWith(prefix))
    .sort((a, b) => byName.compare(`${a.logGroupName}\u0000${a.filterName}`, `${b.logGroupName}\u0000${b.filterName}`));
  return paginate(rows, {
    limit: limitOf(input, SANDBOX_DESCRIBE_PAGE_LIMIT),
    token: optString(input, 'nextToken'),
    keyOf: (f) => `${f.logGroupName}\u0000${f.filterName}`,
    ...byName,
  });
}

function describeSubscriptionFilters(state: SandboxState, input: Input): object {
  const group = requireGroup(state, reqString(input, 'logGroupName'));
  const { page, nextToken } = listFilters([group], input, (g) => g.subscriptionFilters);
  return { subscriptionFilters: page, ...(nextToken !== undefined && { nextToken }) };
}

function describeMetricFilters(state: SandboxState, input: Input): object {
  const name = optString(input, 'logGroupName');
  const groups = name === undefined ? [...state.groups.values()] : [requireGroup(state, name)];
  const { page, nextToken } = listFilters(groups, input, (g) => g.metricFilters);
  return { metricFilters: page, ...(nextToken !== undefined && { nextToken }) };
}

const deleteSubscriptionFilter = (state: SandboxState, input: Input): object =>
  deleteFrom(requireGroup(state, reqString(input, 'logGroupName')).subscriptionFilters, input);

const deleteMetricFilter = (state: SandboxState, input: Input): object =>
  deleteFrom(requireGroup(state, reqString(input, 'logGroupName')).metricFilters, input);

export {
  deleteMetricFilter,
  deleteSubscriptionFilter,
  describeMetricFilters,
  describeSubscriptionFilters,
  putMetricFilter,
  putSubscriptionFilter,
};
