/**
 * What every benchmark scenario shares: the configuration a user would write, deps pointed at the
 * sandbox process with quotas scaled by one factor, a memory sampler, and the call minimums.
 */
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { createClients } from '../src/aws/clients.js';
import { parseConfig } from '../src/config.js';
import { DEFAULT_QUOTAS_TPS, GET_MAX_EVENTS, GET_MAX_PAGE_BYTES, scaledQuotas } from '../src/constants.js';
import { createDeps } from '../src/createDeps.js';
import { DEFAULT_EXPORT_POLL, DEFAULT_EXPORT_SLOT, type Backoff, type Deps } from '../src/deps.js';
import { createLogger } from '../src/logger.js';
import { minimumPutCalls } from '../src/plan/batchEvents.js';
import type { Config } from '../src/types.js';
import type { KeptStream } from './seedData.js';

const BENCH_BUCKET = 'bench-archive';
/** The sandbox checks no signature. */
const BENCH_CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' } as const;
/** Every benchmark trims at DAYS=7: rebuilds are possible (kept events stay well inside 14 days). */
const BENCH_DAYS = 7;

/** Limits so high that nothing waits on a limiter: the CPU-path benchmark. S3 operations included. */
const UNLIMITED_TPS: Record<string, number> = Object.fromEntries(
  [
    ...Object.keys(DEFAULT_QUOTAS_TPS),
    'PutObject',
    'GetObject',
    'HeadObject',
    'DeleteObject',
    'DeleteObjects',
    'ListObjectsV2',
  ].map((op) => [op, 1e9]),
);

/** A wait loop's backoff shortened by `factor`, as quotas are raised by it: the ratio is what is measured. */
const scaledBackoff = (b: Backoff, factor: number): Backoff => ({
  initialMs: b.initialMs / factor,
  maxMs: b.maxMs / factor,
  factor: b.factor,
});

/** The configuration as a user sets it (through parseConfig): every group, DAYS=7, FORCE_REBUILD. */
function benchConfig(endpoint: string, region: string): Readonly<Config> {
  return parseConfig({
    DAYS: String(BENCH_DAYS),
    BUCKET: BENCH_BUCKET,
    LOG_GROUP_PREFIXES: '/',
    LOG_LEVEL: 'silent',
    FORCE_REBUILD: 'true',
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
  });
}

interface BenchDepsOptions {
  /** Quotas cwl-trim believes in (it takes `quotaShare` of each). */
  readonly quotasTps: Record<string, number>;
  /** Export polling and slot waits are shortened by this factor (export tasks are scaled down alike). */
  readonly waitFactor: number;
  readonly progress?: (line: string) => void;
}

function benchDeps(config: Readonly<Config>, options: BenchDepsOptions): Deps {
  return createDeps(config, {
    clients: createClients(config, { credentials: BENCH_CREDENTIALS }),
    logger: createLogger({ level: 'silent', runId: 'bench' }),
    quotasTps: options.quotasTps,
    exportPoll: scaledBackoff(DEFAULT_EXPORT_POLL, options.waitFactor),
    exportSlot: scaledBackoff(DEFAULT_EXPORT_SLOT, options.waitFactor),
    runId: 'bench',
    ...(options.progress ? { progress: options.progress } : {}),
  });
}

/** GetLogEvents pages a forward read of the stream needs, plus the page that repeats the token. */
const minimumGetCalls = (k: Pick<KeptStream, 'events' | 'bytes'>): number =>
  Math.max(Math.ceil(k.events / GET_MAX_EVENTS), Math.ceil(k.bytes / GET_MAX_PAGE_BYTES)) + 1;

const minimumPuts = (k: KeptStream): number =>
  minimumPutCalls({ events: k.events, bytes: k.bytes, spanMs: k.lastMs - k.firstMs });

interface MemoryPeaks {
  /** Highest RSS the kernel saw for this process (getrusage maxrss), bytes. */
  readonly maxRssBytes: number;
  /** Highest heap in use right after a full GC: what the run really holds (0 if V8 ran none). */
  readonly liveHeapBytes: number;
  /** Highest sampled figures, bytes. */
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}

/**
 * Samples `process.memoryUsage()` every `everyMs` (the RSS high-water mark comes from the kernel,
 * which misses nothing between samples), and the heap in use after each full GC V8 chooses to run:
 * what the run really holds, as opposed to garbage not collected yet. Nothing here forces a GC, which
 * would lower the very peaks being measured.
 */
function sampleMemory(everyMs = 25): { stop(): MemoryPeaks } {
  const peaks = { rssBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, liveHeapBytes: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    peaks.rssBytes = Math.max(peaks.rssBytes, m.rss);
    peaks.heapUsedBytes = Math.max(peaks.heapUsedBytes, m.heapUsed);
    peaks.heapTotalBytes = Math.max(peaks.heapTotalBytes, m.heapTotal);
    peaks.externalBytes = Math.max(peaks.externalBytes, m.external + m.arrayBuffers);
  };
  const afterFullGc = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some(
        (e) =>
          ((e as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind ===
          constants.NODE_PERFORMANCE_GC_MAJOR,
      );
    if (major) peaks.liveHeapBytes = Math.max(peaks.liveHeapBytes, process.memoryUsage().heapUsed);
  });
  afterFullGc.observe({ entryTypes: ['gc'] });
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop(): MemoryPeaks {
      clearInterval(timer);
      afterFullGc.disconnect();
      sample();
      return { ...peaks, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    },
  };
}

/** Seconds since `t0` (performance.now()), to the millisecond. */
const secondsSince = (t0: number): number => Math.round(performance.now() - t0) / 1000;

const MB = 1024 * 1024;
const toMb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;

export {
  BENCH_BUCKET,
  BENCH_DAYS,
  UNLIMITED_TPS,
  benchConfig,
  benchDeps,
  minimumGetCalls,
  minimumPuts,
  sampleMemory,
  scaledQuotas,
  secondsSince,
  toMb,
};
export type { BenchDepsOptions, MemoryPeaks };
