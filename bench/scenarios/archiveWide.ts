/**
 * `archive cat` and `archive verify` over ONE export window of 1,000,000 streams (an object each, a few
 * events each): the manifest of such a window lists its objects in 100 parts, and the brief is memory
 * bounded (≤ 256 MB) whatever the archive's shape. The window is written straight into the sandbox's
 * bucket in a run's layout (archiveCatSeed.ts); the compiled CLI (`npm run build` first) reads it in its
 * own process. Measured: events per second, objects per second, and each process's peak RSS.
 */
import { ARCHIVE_WIDE_GROUP, type ArchiveWideSpec } from '../archiveCatSeed.js';
import { BENCH_BUCKET, scaledQuotas } from '../harness.js';
import { startSandboxProcess } from '../sandboxClient.js';
import type { ScenarioResult } from '../types.js';
import { runCompiledCat } from './archiveCat.js';

interface ArchiveWideParams extends ArchiveWideSpec {
  /** Also run `archive verify` over the window. @default true */
  readonly verify?: boolean;
  /** Node flags for the CLI's processes (to study its memory, e.g. ["--max-old-space-size=64"]). */
  readonly nodeArgs?: readonly string[];
}

const ARCHIVE_WIDE_DEFAULTS: ArchiveWideParams = {
  streams: 1_000_000,
  eventsPerStream: 3,
  messageBytes: 100,
  verify: true,
};

async function runArchiveWide(overrides: Partial<ArchiveWideParams> = {}): Promise<ScenarioResult> {
  const p = { ...ARCHIVE_WIDE_DEFAULTS, ...overrides };
  const sandbox = await startSandboxProcess({ quotasTps: scaledQuotas(20) }, BENCH_BUCKET);
  try {
    const seeded = await sandbox.request<{ events: number; objects: number; parts: number; bytes: number }>(
      'seedArchiveWide',
      { spec: p, nowMs: Date.now(), bucket: BENCH_BUCKET },
    );
    const common = [
      '--log-group',
      ARCHIVE_WIDE_GROUP,
      '--bucket',
      BENCH_BUCKET,
      '--endpoint-url',
      sandbox.endpoint,
      '--region',
      sandbox.region,
      '--log-level',
      'silent',
    ];
    // Verify first (a listing and the parts: minutes), said at once; then cat (a GET per stream: much longer).
    const verify = p.verify === false ? undefined : await runCompiledCat(['archive', 'verify', ...common], p.nodeArgs);
    if (verify) process.stderr.write(`archive-wide verify: ${JSON.stringify(verify)}\n`);
    const cat = await runCompiledCat(['archive', 'cat', ...common], p.nodeArgs);
    const eventsPerS = Math.round(cat.lines / cat.wallS);
    const objectsPerS = Math.round(seeded.objects / cat.wallS);
    return {
      name: 'archive-wide',
      row: {
        scenario: 'archive cat, one window of many streams',
        work: `${cat.lines.toLocaleString('en-US')} events, ${seeded.objects.toLocaleString('en-US')} streams (objects) in one window, manifest in ${seeded.parts} parts`,
        wallS: cat.wallS,
        peakRssMb: cat.maxRssMb,
        eventsPerS,
      },
      targets: [
        {
          target: 'archive cat over one window of 1,000,000 streams: every event, in order, within 256 MB',
          measured: `${cat.lines} of ${seeded.events} events, ${cat.outOfOrder} out of order, peak RSS ${cat.maxRssMb} MB, ${eventsPerS} events/s (${objectsPerS} objects/s)`,
          met: cat.code === 0 && cat.lines === seeded.events && cat.outOfOrder === 0 && cat.maxRssMb <= 256,
        },
        ...(verify === undefined
          ? []
          : [
              {
                target: 'archive verify over the same window: passes, within 256 MB',
                measured: `exit ${verify.code}, peak RSS ${verify.maxRssMb} MB, ${verify.wallS} s (${Math.round(seeded.objects / verify.wallS)} objects/s)`,
                met: verify.code === 0 && verify.maxRssMb <= 256,
              },
            ]),
      ],
      params: p,
      figures: { cat: { ...cat, eventsPerS, objectsPerS }, ...(verify && { verify }), seeded },
      notes: [
        `the compiled CLI (node ${process.version} bin/cwl-trim.js): cat printed ${(cat.bytes / 1024 / 1024).toFixed(1)} MB in ${cat.wallS} s, ` +
          `RSS ${cat.baselineRssMb} MB at node's start, peak ${cat.maxRssMb} MB` +
          (verify === undefined ? '' : `; verify ${verify.wallS} s, peak ${verify.maxRssMb} MB`),
      ],
    };
  } finally {
    await sandbox.stop();
  }
}

export { ARCHIVE_WIDE_DEFAULTS, runArchiveWide };
export type { ArchiveWideParams };
