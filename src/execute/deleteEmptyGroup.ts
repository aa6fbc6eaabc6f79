/**
 * DELETE_EMPTY_GROUPS: deletes a group the plan found empty and fully archived, after re-checking at
 * execution that it still has no stream and no filter (a producer may have created one since).
 */
import {
  DeleteLogGroupCommand,
  DescribeLogStreamsCommand,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { callAws, errorName } from '../aws/callAws.js';
import type { Deps } from '../deps.js';
import { LOCK_STREAM_NAME } from '../plan/lockState.js';
import type { GroupPlan } from '../plan/planTypes.js';
import type { GroupDeletionResult } from '../plan/results.js';

type DeletionDeps = Pick<Deps, 'clients' | 'call' | 'deadline'>;

async function whyNot(deps: DeletionDeps, logGroupName: string): Promise<string | undefined> {
  // Two: the in-group lock stream an earlier cwl-trim version may have left does not count.
  const streams = await callAws(deps.call, 'DescribeLogStreams', () =>
    deps.clients.logs.send(new DescribeLogStreamsCommand({ logGroupName, limit: 2 })),
  );
  if ((streams.logStreams ?? []).some((s) => s.logStreamName !== LOCK_STREAM_NAME))
    return 'a stream was created since the plan; the group is kept';
  const subs = await callAws(deps.call, 'DescribeSubscriptionFilters', () =>
    deps.clients.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName })),
  );
  const metrics = await callAws(deps.call, 'DescribeMetricFilters', () =>
    deps.clients.logs.send(new DescribeMetricFiltersCommand({ logGroupName, limit: 1 })),
  );
  if ((subs.subscriptionFilters ?? []).length + (metrics.metricFilters ?? []).length > 0) {
    return 'a filter was added since the plan; the group is kept';
  }
  return undefined;
}

/**
 * Deletes the group when the plan says so and it is still empty; undefined when nothing was planned.
 *
 * @example const deletion = await deleteEmptyGroup(deps, groupPlan);
 */
async function deleteEmptyGroup(deps: DeletionDeps, group: GroupPlan): Promise<GroupDeletionResult | undefined> {
  if (!group.deleteGroup) return undefined;
  if (deps.deadline.remainingMs() <= 0) return { outcome: 'skipped', detail: 'not reached before the deadline' };
  const blocked = await whyNot(deps, group.logGroupName);
  if (blocked) return { outcome: 'skipped', detail: blocked };
  try {
    await callAws(deps.call, 'DeleteLogGroup', () =>
      deps.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: group.logGroupName })),
    );
    return { outcome: 'deleted', detail: group.deleteGroup.detail };
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return { outcome: 'deleted', detail: 'already gone' };
    return { outcome: 'failed', detail: `${errorName(err)}: ${(err as Error).message}` };
  }
}

export { deleteEmptyGroup };
