/**
 * Export backlog: 500 groups that were never archived, each needing its first export. The account
 * runs one export task at a time, so no run can take less than tasks × task duration; what is
 * measured is how close cwl-trim keeps the slot busy. A task lasts `pendingMs + runningMs` (a
 * 15-second task scaled down 100×, with the polling and slot waits scaled alike).
 */
import { DescribeExportTasksCommand, type ExportTask } from '@aws-sdk/client-cloudwatch-logs';
import { performance } from 'node:perf_hooks';
import { runAndReport } from '../../src/runAndReport.js';
import { callFigures, callLines, round, throttleTotals, type SandboxCounts } from '../callFigures.js';
import { BENCH_BUCKET, benchConfig, benchDeps, scaledQuotas, secondsSince } from '../harness.js';
import { startSandboxProcess } from '../sandboxClient.js';
import type { ScenarioResult } from '../types.js';
import type { Deps } from '../../src/deps.js';

interface BacklogParams {
  readonly groups: number;
  readonly exportPendingMs: number;
  readonly exportRunningMs: number;
  /** Real time ÷ benchmark time for the export waits (poll and busy-slot backoff). */
  readonly waitFactor: number;
  readonly quotaFactor: number;
  readonly latencyMs: readonly [number, number];
}

const BACKLOG_DEFAULTS: BacklogParams = {
  groups: 500,
  exportPendingMs: 50,
  exportRunningMs: 100,
  waitFactor: 100,
  quotaFactor: 27,
  latencyMs: [0, 0],
};

/** Every export task the account ran, oldest first (read back after the run, outside the timing). */
async function exportTasks(deps: Deps): Promise<ExportTask[]> {
  const tasks: ExportTask[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.clients.logs.send(
      new DescribeExportTasksCommand({ limit: 50, ...(nextToken ? { nextToken } : {}) }),
    );
    tasks.push(...(page.exportTasks ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return tasks.sort((a, b) => (a.executionInfo?.creationTime ?? 0) - (b.executionInfo?.creationTime ?? 0));
}

/** How busy the export slot was: time with a task running, and the gaps between tasks. */
function slotUse(tasks: readonly ExportTask[]) {
  let busyMs = 0;
  let gapMs = 0;
  for (const [i, t] of tasks.entries()) {
    const created = t.executionInfo?.creationTime ?? 0;
    busyMs += (t.executionInfo?.completionTime ?? created) - created;
    const previous = tasks[i - 1]?.executionInfo?.completionTime;
    if (previous !== undefined) gapMs += created - previous;
  }
  return {
    busyS: round(busyMs / 1000, 3),
    gapS: round(gapMs / 1000, 3),
    meanGapMs: round(gapMs / Math.max(1, tasks.length - 1), 1),
  };
}

async function runExportBacklog(overrides: Partial<BacklogParams> = {}): Promise<ScenarioResult> {
  const p = { ...BACKLOG_DEFAULTS, ...overrides };
  const sandbox = await startSandboxProcess(
    {
      latencyMs: { '*': p.latencyMs },
      quotasTps: scaledQuotas(p.quotaFactor),
      exportTiming: { pendingMs: p.exportPendingMs, runningMs: p.exportRunningMs },
    },
    BENCH_BUCKET,
  );
  try {
    await sandbox.request('seedBacklog', { groups: p.groups, nowMs: Date.now() });
    await sandbox.request('clearCalls');
    const config = benchConfig(sandbox.endpoint, sandbox.region);
    const deps = benchDeps(config, { quotasTps: scaledQuotas(p.quotaFactor), waitFactor: p.waitFactor });
    const t0 = performance.now();
    const {
      output: { plan, result },
    } = await runAndReport(config, deps);
    const wallS = secondsSince(t0);

    const counts = await sandbox.request<SandboxCounts>('callCounts');
    await sandbox.request('setQuota', { operation: 'DescribeExportTasks' });
    const tasks = await exportTasks(deps);
    const slot = slotUse(tasks);
    const boundS = round((p.groups * (p.exportPendingMs + p.exportRunningMs)) / 1000, 3);
    const minimum = { CreateExportTask: p.groups, DeleteLogStream: p.groups };
    const figures = callFigures(counts, minimum, deps.call.limiters).filter(
      (f) => f.operation.includes('Export') || f.operation in minimum,
    );
    const totals = throttleTotals(deps.call.stats.snapshot(), result);
    const archived = result?.groups.filter((g) => g.exports.some((e) => e.status === 'archived')).length ?? 0;
    const ratio = round(wallS / boundS, 3);
    const polls = counts['DescribeExportTasks']?.calls ?? 0;
    return {
      name: 'backlog',
      row: {
        scenario: 'Export backlog',
        work: `${p.groups} first exports, ${p.exportPendingMs + p.exportRunningMs} ms each`,
        wallS,
        boundS,
        callsVsMin: `CreateExportTask ${figures.find((f) => f.operation === 'CreateExportTask')?.ratio}×`,
        throttledFailed: `${totals.throttles} / ${totals.userErrors}`,
      },
      targets: [
        {
          target: 'Export backlog: time against tasks × task duration (no target set)',
          measured: `${wallS} s / ${boundS} s = ${ratio}×; slot busy ${slot.busyS} s, idle ${slot.gapS} s between tasks`,
          met: archived === p.groups && result?.outcome === 'done',
        },
      ],
      params: p,
      figures: {
        wallS,
        lowerBoundS: boundS,
        wallOverBound: ratio,
        exportsArchived: archived,
        slot,
        describeExportTasksPerExport: round(polls / p.groups, 2),
        plan: plan.totals,
        outcome: result?.outcome,
        calls: figures,
        callStats: totals,
      },
      notes: [
        `slot busy ${slot.busyS} s of ${wallS} s; ${slot.gapS} s idle between tasks (${slot.meanGapMs} ms per export: noticing the end by polling, verifying, saving state, then the next group's intent before its CreateExportTask)`,
        `${round(polls / p.groups, 2)} DescribeExportTasks per export (2 look for a task left by a crashed run, the rest poll)`,
        ...callLines(figures),
      ],
    };
  } finally {
    await sandbox.stop();
  }
}

export { BACKLOG_DEFAULTS, runExportBacklog };
export type { BacklogParams };
