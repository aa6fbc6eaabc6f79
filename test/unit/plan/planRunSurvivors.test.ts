/**
 * What planRun's plan says in the corners its other tests leave: no pending rebuild, a group skipped as
 * a whole, a stream whose journal an earlier run left, a DAYS beyond the longest retention CloudWatch
 * allows, and a group that never expires its events.
 */
import { describe, expect, it } from 'vitest';
import { planRun } from '../../../src/plan/planRun.js';
import type { GroupPlan } from '../../../src/plan/planTypes.js';
import type { Config, GroupInfo } from '../../../src/types.js';
import { NOW, configFactory, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

function planOne(group: GroupInfo, config: Partial<Config> = {}): GroupPlan {
  const inventory = [{ group, streams: [streamFactory('s', 30, 20)], state: stateFactory(group.logGroupName) }];
  return planRun(inventory, configFactory(config), NOW).groups[0]!;
}

describe('planRun: corners of the plan', () => {
  it('lists no pending rebuild when none is given', () => {
    const plan = planRun([{ group: groupFactory(), streams: [], state: stateFactory() }], configFactory(), NOW);
    expect(plan.pendingRebuilds).toEqual([]);
  });

  it('a group skipped for its class carries no warning', () => {
    const plan = planOne(groupFactory({ logGroupClass: 'DELIVERY', retentionInDays: 1 }), { days: 7 });
    expect(plan.skip).toMatchObject({ reason: 'delivery-class' });
    expect(plan.warnings).toEqual([]);
  });

  it('says why a stream with an unfinished rebuild is held back', () => {
    const group = groupFactory();
    const pending = {
      logGroupName: group.logGroupName,
      logStreamName: 's',
      journalPrefix: 'p/s',
      events: 1,
      batches: 1,
      phase: 'putting',
      nextBatch: 0,
    };
    const plan = planRun(
      [{ group, streams: [streamFactory('s', 30, 20)], state: stateFactory() }],
      configFactory(),
      NOW,
      [pending],
    ).groups[0]!;
    expect(plan.streams[0]).toMatchObject({
      action: 'keep',
      reason: 'journal-pending',
      detail: 'an earlier run left its rebuild unfinished; this run finishes it from the journal first',
    });
  });

  it('sets the longest allowed retention (3653 days) when DAYS is longer still', () => {
    const plan = planOne(groupFactory({ retentionInDays: 30 }), { strategy: 'retention', days: 4000 });
    expect(plan.retention).toMatchObject({
      currentDays: 30,
      targetDays: 3653,
      safe: true,
      detail: 'set retention 30 days → 3653 days once the archive is verified',
    });
  });

  it('names no current retention for a group that never expires its events', () => {
    const plan = planOne(groupFactory(), { strategy: 'retention', days: 10 });
    expect(plan.retention).toMatchObject({ targetDays: 14, detail: expect.stringContaining('never expire') });
    expect(plan.retention).not.toHaveProperty('currentDays');
  });
});
