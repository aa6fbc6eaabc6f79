/**
 * DELETE_EMPTY_GROUPS' re-check reads answers that may leave a list out (the SDK gives `undefined`
 * for an absent member): an absent list is an empty one, not a stream or a filter that keeps the group.
 */
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../src/aws/clients.js';
import { createDeps } from '../../../src/createDeps.js';
import { deleteEmptyGroup } from '../../../src/execute/deleteEmptyGroup.js';
import { createLogger } from '../../../src/logger.js';
import type { GroupPlan } from '../../../src/plan/planTypes.js';
import { configFactory } from '../../helpers/factories.js';

describe('deleteEmptyGroup', () => {
  it('answers without a stream or filter list count as empty: the group is deleted', async () => {
    const sent: string[] = [];
    const logs = {
      send: async (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name.replace(/Command$/, ''));
        return {};
      },
    };
    const deps = createDeps(configFactory({ bucket: 'archive' }), {
      clients: { logs } as unknown as AwsClients,
      logger: createLogger({ level: 'silent', runId: 't' }),
    });
    const plan = { logGroupName: '/app/old', deleteGroup: { detail: 'planned' } } as unknown as GroupPlan;
    await expect(deleteEmptyGroup(deps, plan)).resolves.toEqual({ outcome: 'deleted', detail: 'planned' });
    expect(sent).toEqual([
      'DescribeLogStreams',
      'DescribeSubscriptionFilters',
      'DescribeMetricFilters',
      'DeleteLogGroup',
    ]);
  });

  it('nothing is called for a group the plan keeps', async () => {
    const deps = createDeps(configFactory({ bucket: 'archive' }), {
      clients: {} as AwsClients,
      logger: createLogger({ level: 'silent', runId: 't' }),
    });
    await expect(
      deleteEmptyGroup(deps, { logGroupName: '/app/kept' } as unknown as GroupPlan),
    ).resolves.toBeUndefined();
  });
});
