/**
 * The run's CloudWatch metrics, written as one log line in the embedded metric format (EMF): Lambda sends
 * its stdout to CloudWatch Logs, which extracts the metrics itself. No PutMetricData call and so no IAM
 * permission, no extra latency, nothing lost if the function is frozen right after. Hand-written: the
 * format is one JSON object, and a library (Powertools Metrics) would add a dependency tree for it.
 */
import type { JsonReport } from './report/jsonReport.js';

/** The metrics' namespace in CloudWatch (serverless.yml's alarm reads it too). */
const METRICS_NAMESPACE = 'cwl-trim';

/** Each metric, from the report's measured totals (and the estimate of what its deletes and rebuilds removed). */
const METRICS = [
  ['StreamsDeleted', 'Count', (r: JsonReport) => r.totals.measured?.deleted ?? 0],
  ['StreamsRebuilt', 'Count', (r: JsonReport) => r.totals.measured?.rebuilt ?? 0],
  ['BytesRemoved', 'Bytes', (r: JsonReport) => r.totals.estimatedDone?.removeStoredBytes ?? 0],
  ['EventsReput', 'Count', (r: JsonReport) => r.totals.measured?.reputEvents ?? 0],
  ['EventsRejected', 'Count', (r: JsonReport) => r.totals.measured?.rejectedEvents ?? 0],
  ['BytesArchived', 'Bytes', (r: JsonReport) => r.totals.measured?.archivedBytes ?? 0],
  ['RunFailed', 'Count', (r: JsonReport) => (r.outcome === 'failed' ? 1 : 0)],
  ['RunPartial', 'Count', (r: JsonReport) => (r.outcome === 'partial' ? 1 : 0)],
] as const satisfies readonly (readonly [string, 'Count' | 'Bytes', (r: JsonReport) => number])[];

interface MetricsContext {
  /** The metrics' one dimension: one function (one stage) per set. */
  readonly functionName: string;
  readonly nowMs: number;
}

/**
 * The EMF object for a real run's report: the metrics by function name, with the outcome and run id as
 * properties (searchable in Logs Insights, not dimensions: they would multiply the metrics).
 *
 * @example process.stdout.write(`${JSON.stringify(runMetrics(report, { functionName, nowMs: Date.now() }))}\n`);
 */
function runMetrics(report: JsonReport, context: MetricsContext): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: context.nowMs,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['FunctionName']],
          Metrics: METRICS.map(([Name, Unit]) => ({ Name, Unit })),
        },
      ],
    },
    FunctionName: context.functionName,
    ...Object.fromEntries(METRICS.map(([name, , value]) => [name, value(report)])),
    outcome: report.outcome,
    runId: report.runId,
  };
}

export { METRICS_NAMESPACE, runMetrics };
