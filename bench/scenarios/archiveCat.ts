/**
 * `archive cat` over a large archive: one group of 20 streams × 50,000 events (1,000,000 events, all
 * interleaved in time) archived by a real cwl-trim run, its export objects then shuffled as AWS leaves
 * them (unsorted inside), and the whole history printed in timestamp order by the compiled CLI
 * (`npm run build` first) in its own process. Measured: events per second and that process's peak RSS (the brief: ≤ 256 MB whatever the range).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { listObjects } from '../../src/archive/s3Objects.js';
import { runAndReport } from '../../src/runAndReport.js';
import { ARCHIVE_CAT_GROUP, type ArchiveCatSpec } from '../archiveCatSeed.js';
import { BENCH_BUCKET, benchConfig, benchDeps, scaledQuotas, secondsSince, toMb } from '../harness.js';
import { startSandboxProcess } from '../sandboxClient.js';
import type { ScenarioResult } from '../types.js';
import type { Deps } from '../../src/deps.js';

interface ArchiveCatParams extends ArchiveCatSpec {
  readonly quotaFactor: number;
  /** Leave the archived sandbox running and print the cat command instead of measuring (for working on cat). */
  readonly holdSandbox?: boolean;
}

const ARCHIVE_CAT_DEFAULTS: ArchiveCatParams = {
  streams: 20,
  eventsPerStream: 50_000,
  messageBytes: 160,
  quotaFactor: 20,
};

interface ChildReport {
  readonly code: number;
  readonly lines: number;
  readonly bytes: number;
  readonly outOfOrder: number;
  readonly wallS: number;
  readonly maxRssMb: number;
  /** RSS when node started, before the CLI's bundle loaded. */
  readonly baselineRssMb: number;
}

/** Rewrites each export object with its lines in a shuffled order (a seeded Fisher–Yates), one object at a time. */
async function shuffleExports(deps: Deps): Promise<number> {
  let objects = 0;
  let seed = 7;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const o of await listObjects(deps, BENCH_BUCKET, 'cwl-archive/exports/')) {
    if (!o.Key?.endsWith('.gz')) continue;
    const body = await (
      await deps.clients.s3.send(new GetObjectCommand({ Bucket: BENCH_BUCKET, Key: o.Key }))
    ).Body!.transformToByteArray();
    const lines = gunzipSync(body)
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');
    for (let i = lines.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    await deps.clients.s3.send(
      new PutObjectCommand({ Bucket: BENCH_BUCKET, Key: o.Key, Body: gzipSync(`${lines.join('\n')}\n`) }),
    );
    objects += 1;
  }
  return objects;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs the compiled CLI (`node bin/cwl-trim.js archive cat …`, from `npm run build`) as a user would, its
 * stdout read through a pipe by this process (so the CLI writes under a real pipe's backpressure), and
 * checks every line's order on the fly. Peak RSS is the child's kernel high-water mark (bench/maxRssAtExit.mjs).
 */
function runCompiledCat(argv: readonly string[], nodeArgs: readonly string[] = []): Promise<ChildReport> {
  const bin = join(ROOT, 'bin/cwl-trim.js');
  if (!existsSync(join(ROOT, 'dist/cli.js')))
    throw new Error('dist/cli.js is missing: run `npm run build` before the archive-cat benchmark');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(
      process.execPath,
      [...nodeArgs, '--import', pathToFileURL(join(ROOT, 'bench/maxRssAtExit.mjs')).href, bin, ...argv],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
      },
    );
    let lines = 0;
    let bytes = 0;
    let outOfOrder = 0;
    let lastStamp = '';
    let rest = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      bytes += Buffer.byteLength(text);
      let at = 0;
      const all = rest + text;
      // ISO-8601 UTC stamps sort as strings: checking the order costs a comparison per line.
      for (let end = all.indexOf('\n', at); end >= 0; at = end + 1, end = all.indexOf('\n', at)) {
        const stamp = all.slice(at, at + 24);
        if (stamp < lastStamp) outOfOrder += 1;
        lastStamp = stamp;
        lines += 1;
      }
      rest = all.slice(at);
    });
    let memory = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      memory += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = secondsSince(t0);
      if (memory === '') {
        reject(new Error(`archive cat exited ${code} without its memory figures`));
        return;
      }
      const { maxRssBytes, startRssBytes } = JSON.parse(memory) as { maxRssBytes: number; startRssBytes: number };
      resolve({
        code: code ?? -1,
        lines,
        bytes,
        outOfOrder,
        wallS,
        maxRssMb: toMb(maxRssBytes),
        baselineRssMb: toMb(startRssBytes),
      });
    });
  });
}

async function runArchiveCat(overrides: Partial<ArchiveCatParams> = {}): Promise<ScenarioResult> {
  const p = { ...ARCHIVE_CAT_DEFAULTS, ...overrides };
  const sandbox = await startSandboxProcess(
    { quotasTps: scaledQuotas(p.quotaFactor), exportTiming: { pendingMs: 20, runningMs: 50 } },
    BENCH_BUCKET,
  );
  try {
    const seeded = await sandbox.request<{ events: number }>('seedArchiveCat', { spec: p, nowMs: Date.now() });
    const config = benchConfig(sandbox.endpoint, sandbox.region);
    const deps = benchDeps(config, { quotasTps: scaledQuotas(p.quotaFactor), waitFactor: 100 });
    const {
      output: { result },
    } = await runAndReport(config, deps);
    if (result?.outcome !== 'done') throw new Error(`the run that archives the history ended ${result?.outcome}`);
    const objects = await shuffleExports(deps);
    await deps.call.limiters.stop();
    const argv = [
      'archive',
      'cat',
      '--log-group',
      ARCHIVE_CAT_GROUP,
      '--bucket',
      BENCH_BUCKET,
      '--endpoint-url',
      sandbox.endpoint,
      '--region',
      sandbox.region,
      '--log-level',
      'silent',
    ];
    if (p.holdSandbox === true) {
      // For working on cat: the archive stays up until this process is stopped.
      process.stderr.write(
        `archive-cat sandbox up: AWS_ACCESS_KEY_ID=b AWS_SECRET_ACCESS_KEY=b node bin/cwl-trim.js ${argv.join(' ')}\n`,
      );
      await new Promise(() => undefined);
    }
    const report = await runCompiledCat(argv);
    // One stream of the history: a narrower range reads fewer objects and must not cost more memory.
    const one = await runCompiledCat([...argv, '--stream', 'worker-007', '--json']);
    const eventsPerS = Math.round(report.lines / report.wallS);
    const whole = report.code === 0 && report.lines === seeded.events && report.outOfOrder === 0;
    const oneWhole = one.code === 0 && one.lines === p.eventsPerStream;
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
        {
          target: 'archive cat --stream (one of the streams, JSON lines): every event of it, within 256 MB',
          measured: `${one.lines} of ${p.eventsPerStream} events, peak RSS ${one.maxRssMb} MB, ${Math.round(one.lines / one.wallS)} events/s`,
          met: oneWhole && one.maxRssMb <= 256,
        },
      ],
      params: p,
      figures: {
        ...report,
        eventsPerS,
        objects,
        seededEvents: seeded.events,
        oneStream: { ...one, eventsPerS: Math.round(one.lines / one.wallS) },
      },
      notes: [
        `the compiled CLI (node ${process.version} bin/cwl-trim.js, dist/ from npm run build), stdout through a pipe read by the bench: ` +
          `${(report.bytes / 1024 / 1024).toFixed(1)} MB printed in ${report.wallS} s; RSS ${report.baselineRssMb} MB at node's start, peak ${report.maxRssMb} MB`,
      ],
    };
  } finally {
    await sandbox.stop();
  }
}

export { ARCHIVE_CAT_DEFAULTS, runArchiveCat, runCompiledCat };
export type { ArchiveCatParams, ChildReport };
