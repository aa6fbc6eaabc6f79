/**
 * Plans and run results for the report tests, built by the real planner from literal inventories:
 * the report is tested on the plans cwl-trim actually makes.
 */
import type { RunResult, StreamResult } from '../../../src/plan/results.js';
import { runOutcome } from '../../../src/plan/results.js';
import { planRun, type GroupInventory } from '../../../src/plan/planRun.js';
import type { Config } from '../../../src/types.js';
import type { Plan } from '../../../src/plan/planTypes.js';
import { NOW, configFactory, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const LONG_GROUP = `/aws/lambda/${'an-extraordinarily-long-function-name-'.repeat(12)}end`;
const LONG_STREAM = `2026/11/01/[$LATEST]${'f'.repeat(32)}-${'with-a-suffix-'.repeat(10)}`;

/** A group of `n` expired streams, a straddling one worth rebuilding, a current one and an active one. */
function busyGroup(name: string, expired: number): GroupInventory {
  const group = groupFactory({ logGroupName: name, creationTimeMs: NOW - 400 * 86_400_000 });
  const streams = [
    ...Array.from({ length: expired }, (_, i) => streamFactory(`${LONG_STREAM}-${i}`, 40, 30)),
    streamFactory('host-a', 365, 1),
    streamFactory('current', 3, 1),
    streamFactory('active', 9, 0.001),
  ];
  return { group, streams, state: stateFactory(name) };
}

function planOf(inventory: readonly GroupInventory[], config: Partial<Config> = {}): Plan {
  return planRun(inventory, configFactory(config), NOW);
}

/** A plan of a long-named busy group, an Infrequent Access group and an empty group. */
function samplePlan(expired = 3, config: Partial<Config> = {}): Plan {
  return planOf(
    [
      busyGroup(LONG_GROUP, expired),
      {
        group: groupFactory({ logGroupName: '/vpc/flow', logGroupClass: 'INFREQUENT_ACCESS' }),
        streams: [],
        state: stateFactory('/vpc/flow'),
      },
      { group: groupFactory({ logGroupName: '/empty' }), streams: [], state: stateFactory('/empty') },
    ],
    config,
  );
}

/**
 * A run of `plan` where every delete and rebuild is done, except those named in `outcomes`, and the
 * groups named in `notReached` were not reached.
 */
function runOf(
  plan: Plan,
  outcomes: Record<string, Partial<StreamResult>> = {},
  notReached: readonly string[] = [],
): RunResult {
  const groups = plan.groups
    .filter((g) => !g.skip)
    .map((g) => {
      if (notReached.includes(g.logGroupName))
        return { logGroupName: g.logGroupName, exports: [], streams: [], notReached: true };
      const streams = g.streams
        .filter((s) => s.action === 'delete' || s.action === 'rebuild')
        .map(
          (s): StreamResult => ({
            logGroupName: g.logGroupName,
            logStreamName: s.logStreamName,
            action: s.action as 'delete' | 'rebuild',
            outcome: 'done',
            ...(s.action === 'rebuild' ? { events: 120, bytes: 9_000, batches: 2, rejected: 0 } : {}),
            ...outcomes[s.logStreamName],
          }),
        );
      const exports = g.exportWindow
        ? [{ ...g.exportWindow, status: 'archived' as const, taskId: 'task-1', objects: streams.length, bytes: 4_096 }]
        : [];
      return {
        logGroupName: g.logGroupName,
        exports,
        streams,
        ...(g.exportWindow ? { archivedThroughMs: g.exportWindow.toMs } : {}),
      };
    });
  const base = {
    startedAtMs: NOW,
    finishedAtMs: NOW + 65_000,
    resumedRebuilds: [],
    groups,
    deadlineReached: notReached.length > 0,
  };
  return { ...base, outcome: runOutcome(base) };
}

export { LONG_GROUP, LONG_STREAM, busyGroup, planOf, runOf, samplePlan };
