/**
 * Keeps the JSON report of every real run beside the archive (`<prefix>/reports/<time>-<runId>.json`),
 * so that what a run deleted can be read back long after its terminal or Lambda log is gone.
 */
import { reportKey } from '../archive/keys.js';
import { putJson } from '../archive/s3Objects.js';
import type { Deps } from '../deps.js';
import type { Config } from '../types.js';
import type { JsonReport } from './jsonSchema.js';

type SavedReport =
  | { readonly saved: true; readonly uri: string }
  | { readonly saved: false; readonly uri: string; readonly error: string };

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
    return { saved: true, uri };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    deps.logger.warn({ err, uri }, 'could not save the report');
    return { saved: false, uri, error };
  }
}

export { saveReport };
export type { SavedReport };
