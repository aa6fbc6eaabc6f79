/** What a scenario hands back to bench/run.ts: its table row, its targets, and every figure. */

/** One line of the summary table; absent cells print as "—". */
interface SummaryRow {
  readonly scenario: string;
  readonly work: string;
  readonly wallS?: number;
  readonly boundS?: number;
  readonly callsVsMin?: string;
  readonly throttledFailed?: string;
  readonly peakRssMb?: number;
  readonly eventsPerS?: number;
}

interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** Calls of one operation against the least the work needs. */
interface CallFigure {
  readonly operation: string;
  /** Requests the sandbox received (retries and throttled attempts included). */
  readonly calls: number;
  readonly minimum?: number;
  readonly ratio?: number;
  /** Requests per second cwl-trim allowed itself (limiters.allowedTps). */
  readonly allowedTps?: number;
  readonly note?: string;
}

interface ScenarioResult {
  readonly name: string;
  readonly row: SummaryRow;
  readonly targets: readonly TargetCheck[];
  readonly params: Readonly<Record<string, unknown>>;
  readonly figures: Readonly<Record<string, unknown>>;
  /** Lines to print under the row (breakdowns, verification). */
  readonly notes: readonly string[];
}

export type { CallFigure, ScenarioResult, SummaryRow, TargetCheck };
