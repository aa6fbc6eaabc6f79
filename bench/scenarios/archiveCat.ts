/**
 * `archive cat` over a large archive: one group of 20 streams × 50,000 events (1,000,000 events, all
 * interleaved in time) archived by a real cwl-trim run, its export objects then shuffled as AWS leaves
 * them (unsorted inside), and the whole history printed in timestamp order by the real CLI in a fresh
 * process. Measured: events per second and that process's peak RSS (the brief: ≤ 256 MB whatever the range).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { listObjects } from '../../src/archive/s3Objects.js';
import { runCwlTrim } from '../../src/run.js';
import { ARCHIVE_CAT_GROUP, type ArchiveCatSpec } from '../archiveCatSeed.js';
import { BENCH_BUCKET, benchConfig, benchDeps, scaledQuotas } from '../harness.js';
import { forkTs, startSandboxProcess } from '../sandboxClient.js';
import type { ScenarioResult } from '../types.js';
import type { Deps } from '../../src/deps.js';

interface ArchiveCatParams extends ArchiveCatSpec {
  readonly quotaFactor: number;
}

const ARCHIVE_CAT_DEFAULTS: ArchiveCatParams = { streams: 20, eventsPerStream: 50_000, messageBytes: 160, quotaFactor: 20 };

interface ChildReport {
  readonly code: number;
  readonly lines: number;
  readonly bytes: number;
  readonly outOfOrder: number;
  readonly wallS: number;
  readonly maxRssMb: number;
  readonly sampledRssMb: number;
  readonly liveHeapMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
  readonly baselineRssMb: number;
}

/** Rewrites each export object with its lines in a shuffled order (a seeded Fisher–Yates), one object at a time. */
async function shuffleExports(deps: Deps): Promise<number> {
  let objects = 0;
  let seed = 7;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (const o of await listObjects(deps, BENCH_BUCKET, 'cwl-archive/exports/')) {
    if (!o.Key?.endsWith('.gz')) continue;
    const body = await (await deps.clients.s3.send(new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: o.Key }))).Body!.transformToByteArray();
    const lines = gunzipSync(body).toString('utf8').split('\n').filter((l) => l !== '');
    for (let i = lines.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    await deps.clients.s3.send(new PutObjectCommand({ Bucket: BENCH_BUCKET, Key: o.Key, Body: gzipSync(`${lines.join('\n')}\n`) }));
    objects += 1;
  }
  return objects;
}

/** V8's heap limit for the second measurement: the process's old generation then stays near its live size. */
const BOUNDED_HEAP_FLAG = '--max-old-space-size=128';

function runChild(argv: readonly string[], nodeArgs: readonly string[] = []): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = forkTs('./archiveCatChild.ts', [JSON.stringify(argv)], nodeArgs);
    let report: ChildReport | undefined;
    child.on('message', (m: ChildReport) => { report = m; });
    child.on('exit', (code) => (report ? resolve(report) : reject(new Error(`archive cat child exited ${code} without a report`))));
  });
}

async function runArchiveCat(overrides: Partial<ArchiveCatParams> = {}): Promise<ScenarioResult> {
  const p = { ...ARCHIVE_CAT_DEFAULTS, ...overrides };
  const sandbox = await startSandboxProcess({ quotasTps: scaledQuotas(p.quotaFactor), exportTiming: { pendingMs: 20, runningMs: 50 } }, BENCH_BUCKET);
  try {
    const seeded = await sandbox.request<{ events: number }>('seedArchiveCat', { spec: p, nowMs: Date.now() });
    const config = benchConfig(sandbox.endpoint, sandbox.region);
    const deps = benchDeps(config, { quotasTps: scaledQuotas(p.quotaFactor), waitFactor: 100 });
    const { result } = await runCwlTrim(config, deps);
    if (result?.outcome !== 'done') throw new Error(`the run that archives the history ended ${result?.outcome}`);
    const objects = await shuffleExports(deps);
    await deps.call.limiters.stop();
    const argv = ['archive', 'cat', '--log-group', ARCHIVE_CAT_GROUP, '--bucket', BENCH_BUCKET,
      '--endpoint-url', sandbox.endpoint, '--region', sandbox.region, '--log-level', 'silent'];
    const report = await runChild(argv);
    const bounded = await runChild(argv, [BOUNDED_HEAP_FLAG]);
    const eventsPerS = Math.round(report.lines / report.wallS);
    const whole = report.code === 0 && report.lines === seeded.events && report.outOfOrder === 0;
    return {
      name: 'archive-cat',
      row: {
        scenario: 'archive cat',
        work: `${report.lines.toLocaleString('en-US')} events, ${p.streams} streams, ${objects} shuffled objects`,
        wallS: report.wallS,
        peakRssMb: report.maxRssMb,
        eventsPerS,
      },
      targets: [
        {
          target: 'archive cat: every archived event, in order, within 256 MB',
          measured: `${report.lines} of ${seeded.events} events, ${report.outOfOrder} out of order, peak RSS ${report.maxRssMb} MB, ${eventsPerS} events/s`,
          met: whole && report.maxRssMb <= 256,
        },
      ],
      params: p,
      figures: { ...report, eventsPerS, objects, seededEvents: seeded.events,
        boundedHeap: { flag: BOUNDED_HEAP_FLAG, ...bounded, eventsPerS: Math.round(bounded.lines / bounded.wallS) } },
      notes: [
        `with node ${BOUNDED_HEAP_FLAG}: peak RSS ${bounded.maxRssMb} MB, ${Math.round(bounded.lines / bounded.wallS)} events/s, ${bounded.lines} events, ${bounded.outOfOrder} out of order`,
        `${(report.bytes / 1024 / 1024).toFixed(1)} MB printed in ${report.wallS} s; RSS ${report.baselineRssMb} MB before cat started (node + tsx + SDK), peak ${report.maxRssMb} MB; V8 heap ≤ ${report.heapTotalMb} MB (${report.liveHeapMb} MB still in use after full GCs), external ≤ ${report.externalMb} MB`,
      ],
    };
  } finally {
    await sandbox.stop();
  }
}

export { ARCHIVE_CAT_DEFAULTS, runArchiveCat };
export type { ArchiveCatParams };
