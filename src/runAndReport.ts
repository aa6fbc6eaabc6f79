/**
 * One run and its report, the sequence every entry point shares (CLI, Lambda handler, demo, bench):
 * run → JSON report → the report kept beside the archive (`<prefix>/reports/<time>-<runId>.json`), so
 * that what a run deleted can be read back long after its terminal or Lambda log is gone.
 */
import { reportKey } from './archive/keys.js';
import { putJson } from './archive/s3Objects.js';
import type { Deps } from './deps.js';
import type { RunOutput } from './plan/results.js';
import { toJsonReport } from './report/jsonReport.js';
import type { JsonReport } from './report/jsonSchema.js';
import { runCwlTrim } from './run.js';
import type { Config } from './types.js';

type SavedReport =
  | { readonly saved: true; readonly uri: string; readonly key: string }
  | { readonly saved: false; readonly uri: string; readonly key: string; readonly error: string };

interface RunReport {
  readonly output: RunOutput;
  readonly report: JsonReport;
  /** Absent when the report was not to be kept (a dry run, unless `keepPlan`). */
  readonly saved?: SavedReport;
}

interface RunAndReportOptions {
  /** Keep a dry run's report too (the Lambda handler does: a scheduled dry run is read from S3). */
  readonly keepPlan?: boolean;
}

/**
 * Writes the report to S3. A failure is returned, not thrown: the run's work is done by then, and
 * its outcome (and exit code) must not depend on whether its report could be stored.
 *
 * @example
 * const saved = await saveReport(deps, config, report);
 * if (saved.saved) process.stderr.write(`report saved to ${saved.uri}\n`);
 */
async function saveReport(
  deps: Pick<Deps, 'clients' | 'call' | 'logger'>,
  config: Pick<Config, 'bucket' | 'bucketPrefix'>,
  report: JsonReport,
): Promise<SavedReport> {
  const key = reportKey(config.bucketPrefix, report.runId, report.run?.finishedAt.ms ?? report.plannedAt.ms);
  const uri = `s3://${config.bucket}/${key}`;
  try {
    await putJson(deps, config.bucket, key, report);
    return { saved: true, uri, key };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    deps.logger.error({ err, uri }, 'could not save the report');
    return { saved: false, uri, key, error };
  }
}

/**
 * Runs cwl-trim once and builds its report; a real run's report is saved (see {@link saveReport}).
 * A {@link LeaseHeldError} and settings errors are thrown as they are: each entry point says them its way.
 *
 * @example
 * const { report, saved } = await runAndReport(config, deps);
 */
async function runAndReport(
  config: Readonly<Config>,
  deps: Deps,
  options: RunAndReportOptions = {},
): Promise<RunReport> {
  const output = await runCwlTrim(config, deps);
  const report = toJsonReport(output, {
    runId: deps.runId,
    apiCalls: deps.call.stats.snapshot(),
    prices: config.prices,
  });
  if (output.result === undefined && options.keepPlan !== true) return { output, report };
  return { output, report, saved: await saveReport(deps, config, report) };
}

export { runAndReport, saveReport };
export type { RunAndReportOptions, RunReport, SavedReport };
