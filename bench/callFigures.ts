/**
 * Calls per operation, as the sandbox counted them, against the least the work needs; and the
 * quota-bound lower bound of a run's duration that follows from them.
 */
import type { Limiters } from '../src/aws/limiters.js';
import type { OperationStats } from '../src/aws/callAws.js';
import type { RunResult } from '../src/plan/results.js';
import type { CallFigure } from './types.js';

type SandboxCounts = Record<string, { calls: number; errors: Record<string, number> }>;

/** The group lock's own calls (on its stream) are counted apart under `<Operation> (group lock)`. */
const LOCK_SUFFIX = ' (group lock)';

/** Polling an export task's status is not work with a fixed size: it is reported, never held to a minimum. */
const POLLING = new Set(['DescribeExportTasks']);

/**
 * One figure per operation seen or expected. Operations with a minimum get a ratio; the others
 * (S3, polling) are listed with their count only.
 */
function callFigures(
  counts: SandboxCounts,
  minimum: Readonly<Record<string, number>>,
  limiters: Limiters,
): CallFigure[] {
  const operations = [...new Set([...Object.keys(minimum), ...Object.keys(counts)])].sort();
  return operations.map((operation) => {
    const calls = counts[operation]?.calls ?? 0;
    const min = minimum[operation];
    const allowedTps = limiters.operations.includes(operation) ? limiters.allowedTps(operation) : undefined;
    return {
      operation,
      calls,
      ...(min === undefined
        ? {}
        : { minimum: min, ratio: min === 0 ? (calls === 0 ? 1 : Infinity) : round(calls / min, 3) }),
      ...(allowedTps === undefined ? {} : { allowedTps: round(allowedTps, 2) }),
      ...(POLLING.has(operation)
        ? { note: 'export polling (no minimum)' }
        : operation.endsWith(LOCK_SUFFIX)
          ? { note: "the group lock's own stream (one run per group), apart from the work" }
          : min === undefined
            ? { note: 'not quota-bound' }
            : {}),
    };
  });
}

/**
 * The quota-bound lower bound: for each operation with a minimum, minimum calls ÷ the rate cwl-trim
 * allows itself; the largest is the bound, and its operation the busiest.
 */
function quotaBound(
  minimum: Readonly<Record<string, number>>,
  limiters: Limiters,
): { seconds: number; operation: string } {
  let best = { seconds: 0, operation: '' };
  for (const [operation, n] of Object.entries(minimum)) {
    const seconds = n / limiters.allowedTps(operation);
    if (seconds > best.seconds) best = { seconds, operation };
  }
  return { seconds: round(best.seconds, 3), operation: best.operation };
}

/** The worst calls ÷ minimum over the operations held to a minimum (polling excluded). */
function worstRatio(figures: readonly CallFigure[]): CallFigure | undefined {
  return figures
    .filter((f) => f.ratio !== undefined && !POLLING.has(f.operation))
    .reduce<CallFigure | undefined>(
      (worst, f) => (worst === undefined || f.ratio! > worst.ratio! ? f : worst),
      undefined,
    );
}

/**
 * Throttles cwl-trim met (and retried, so the user never saw them), and the errors the run reported
 * to the user: failed groups, exports and stream actions. (`failures` in the call stats also counts
 * expected answers such as NoSuchKey for a group never archived, so it is not what a user sees.)
 */
function throttleTotals(
  stats: Record<string, OperationStats>,
  result: RunResult | undefined,
): { throttles: number; retries: number; userErrors: number } {
  const calls = Object.values(stats).reduce(
    (t, s) => ({ throttles: t.throttles + s.throttles, retries: t.retries + s.retries }),
    { throttles: 0, retries: 0 },
  );
  const groups = result?.groups ?? [];
  const userErrors =
    groups.filter((g) => g.error !== undefined).length +
    groups.flatMap((g) => g.exports).filter((e) => e.status === 'failed').length +
    [...(result?.resumedRebuilds ?? []), ...groups.flatMap((g) => g.streams)].filter((s) => s.outcome === 'failed')
      .length;
  return { ...calls, userErrors };
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** `op calls/min` lines for the printout. */
function callLines(figures: readonly CallFigure[]): string[] {
  return figures.map((f) => {
    const vs = f.minimum === undefined ? '' : ` / min ${f.minimum} = ${f.ratio}×`;
    const rate = f.allowedTps === undefined ? '' : ` (allowed ${f.allowedTps}/s)`;
    return `  ${f.operation.padEnd(28)} ${String(f.calls).padStart(7)}${vs}${rate}${f.note ? `  [${f.note}]` : ''}`;
  });
}

export { LOCK_SUFFIX, callFigures, callLines, quotaBound, round, throttleTotals, worstRatio };
export type { SandboxCounts };
