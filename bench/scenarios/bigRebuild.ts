/**
 * Big rebuild: one straddling stream whose kept half holds `keptEvents` events of ~150 bytes
 * (1,000,000 events ≈ 150 MB), rebuilt by a real run (discover → export → save to the journal →
 * delete → create → put back). This process is the cwl-trim being measured: the sandbox, which holds
 * every event, runs in another process.
 *
 * Two modes share the code:
 * - `quota`: 20–50 ms per call, quotas enforced (× `quotaFactor`): memory and events per second;
 * - `cpu`: no latency and no quotas, to show the tool itself is never the bottleneck: events per
 *   second of wall time, and per second of cwl-trim's own CPU time.
 */
import { performance } from 'node:perf_hooks';
import { runAndReport } from '../../src/runAndReport.js';
import { callFigures, callLines, quotaBound, round, throttleTotals, type SandboxCounts } from '../callFigures.js';
import {
  BENCH_BUCKET,
  UNLIMITED_TPS,
  benchConfig,
  benchDeps,
  minimumGetCalls,
  minimumPuts,
  sampleMemory,
  scaledQuotas,
  secondsSince,
  toMb,
} from '../harness.js';
import { startSandboxProcess } from '../sandboxClient.js';
import type { KeptStream } from '../seedData.js';
import type { ScenarioResult } from '../types.js';

interface RebuildParams {
  readonly mode: 'quota' | 'cpu';
  readonly keptEvents: number;
  readonly messageBytes: number;
  readonly quotaFactor: number;
  readonly latencyMs: readonly [number, number];
}

const REBUILD_DEFAULTS: RebuildParams = {
  mode: 'quota',
  keptEvents: 1_000_000,
  messageBytes: 150,
  quotaFactor: 4,
  latencyMs: [20, 50],
};

/** Peak RSS a rebuild may reach, whatever the stream's size (issue 7). */
const RSS_TARGET_MB = 256;
/** Events per second of cwl-trim CPU the CPU path must reach (issue 7). */
const CPU_TARGET_EVENTS_PER_S = 200_000;

interface SandboxUsage {
  readonly cpu: NodeJS.CpuUsage;
}

interface StreamSummary {
  readonly exists: boolean;
  readonly events: number;
  readonly firstMs?: number;
  readonly lastMs?: number;
  readonly sorted?: boolean;
}

const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

async function runBigRebuild(overrides: Partial<RebuildParams> = {}): Promise<ScenarioResult> {
  const p = { ...REBUILD_DEFAULTS, ...overrides };
  const cpuMode = p.mode === 'cpu';
  const sandbox = await startSandboxProcess(
    cpuMode
      ? { quotasTps: false, exportTiming: { pendingMs: 0, runningMs: 0 } }
      : {
          latencyMs: { '*': p.latencyMs },
          quotasTps: scaledQuotas(p.quotaFactor),
          exportTiming: { pendingMs: 20, runningMs: 40 },
        },
    BENCH_BUCKET,
  );
  try {
    const kept = await sandbox.request<KeptStream>('seedBigStream', {
      spec: { keptEvents: p.keptEvents, oldEvents: 2_000, messageBytes: p.messageBytes },
      nowMs: Date.now(),
    });
    await sandbox.request('clearCalls');
    const config = benchConfig(sandbox.endpoint, sandbox.region);
    let rebuildStartedAt: number | undefined;
    let savedAt: number | undefined;
    let cpuAtRebuild: NodeJS.CpuUsage | undefined;
    let sandboxCpuAtRebuild: Promise<SandboxUsage> | undefined;
    const deps = benchDeps(config, {
      quotasTps: cpuMode ? UNLIMITED_TPS : scaledQuotas(p.quotaFactor),
      waitFactor: cpuMode ? 1_000 : p.quotaFactor,
      progress: (line) => {
        if (line.startsWith('saved ')) savedAt = performance.now();
        if (!line.startsWith('rebuilding ')) return;
        rebuildStartedAt = performance.now();
        cpuAtRebuild = process.cpuUsage();
        sandboxCpuAtRebuild = sandbox.request<SandboxUsage>('usage');
      },
    });
    const baselineRss = process.memoryUsage().rss;
    const memory = sampleMemory();
    const t0 = performance.now();
    const {
      output: { result },
    } = await runAndReport(config, deps);
    const wallS = secondsSince(t0);
    const rebuildS = rebuildStartedAt === undefined ? wallS : secondsSince(rebuildStartedAt);
    // Saving: read the events and write them to the journal; then delete, create and put back.
    const saveS =
      rebuildStartedAt !== undefined && savedAt !== undefined
        ? round((savedAt - rebuildStartedAt) / 1000, 3)
        : Number.NaN;
    const cpuS = cpuAtRebuild ? cpuSeconds(process.cpuUsage(cpuAtRebuild)) : Number.NaN;
    const peaks = memory.stop();
    const sandboxCpuS = sandboxCpuAtRebuild
      ? cpuSeconds((await sandbox.request<SandboxUsage>('usage')).cpu) - cpuSeconds((await sandboxCpuAtRebuild).cpu)
      : Number.NaN;

    const counts = await sandbox.request<SandboxCounts>('callCounts');
    const after = await sandbox.request<StreamSummary>('streamSummary', { group: kept.group, stream: kept.stream });
    const minimum = { GetLogEvents: minimumGetCalls(kept), PutLogEvents: minimumPuts(kept), CreateLogStream: 1 };
    const figures = callFigures(counts, minimum, deps.call.limiters).filter(
      (f) => f.operation in minimum || f.operation.endsWith('Object'),
    );
    const eventsPerS = Math.round(kept.events / rebuildS);
    const eventsPerCpuS = Math.round(kept.events / cpuS);
    const correct =
      result?.outcome === 'done' &&
      after.exists &&
      after.events === kept.events &&
      after.firstMs === kept.firstMs &&
      after.lastMs === kept.lastMs &&
      after.sorted === true;
    const totals = throttleTotals(deps.call.stats.snapshot(), result);
    const peakRssMb = toMb(peaks.maxRssBytes);
    const label = `${(kept.events / 1e6).toLocaleString('en-US')}M events, ${toMb(kept.bytes)} MB`;
    const readBound = quotaBound({ GetLogEvents: minimum.GetLogEvents }, deps.call.limiters);
    const callsOk = figures.every((f) => f.ratio === undefined || f.ratio <= 1.05);
    const targets = cpuMode
      ? [
          {
            target: `CPU path ≥ ${CPU_TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s on one core`,
            measured: `${eventsPerCpuS.toLocaleString('en-US')} events per cwl-trim CPU second (${eventsPerS.toLocaleString('en-US')}/s of wall time)`,
            met: eventsPerCpuS >= CPU_TARGET_EVENTS_PER_S && correct,
          },
        ]
      : [
          {
            target: `Rebuild of ${label}: peak RSS ≤ ${RSS_TARGET_MB} MB`,
            measured: `${peakRssMb} MB`,
            met: peakRssMb <= RSS_TARGET_MB && correct,
          },
          {
            target: `Rebuild of ${label}: calls ≤ 1.05 × minimum`,
            measured: figures
              .filter((f) => f.ratio !== undefined)
              .map((f) => `${f.operation} ${f.calls}/${f.minimum}`)
              .join(', '),
            met: callsOk,
          },
        ];
    return {
      name: cpuMode ? 'cpu' : `rebuild-${p.keptEvents}`,
      row: {
        scenario: cpuMode ? 'CPU path' : 'Big rebuild',
        work: label,
        wallS: rebuildS,
        ...(cpuMode ? {} : { boundS: readBound.seconds }),
        callsVsMin: figures
          .filter((f) => f.ratio !== undefined)
          .map((f) => `${f.operation.replace('LogEvents', '')} ${f.ratio}×`)
          .join(', '),
        throttledFailed: `${totals.throttles} / ${totals.userErrors}`,
        peakRssMb,
        eventsPerS: cpuMode ? eventsPerCpuS : eventsPerS,
      },
      targets: [
        ...targets,
        {
          target: `${cpuMode ? 'CPU path' : 'Rebuild'} of ${label}: every kept event back, in order`,
          measured: `${after.events.toLocaleString('en-US')} events, outcome ${result?.outcome}`,
          met: correct,
        },
      ],
      params: p,
      figures: {
        keptEvents: kept.events,
        keptPutBytes: kept.bytes,
        wallS,
        rebuildS,
        saveS,
        putBackS: round(rebuildS - saveS, 3),
        eventsPerS,
        cwlTrimCpuS: round(cpuS, 3),
        eventsPerCwlTrimCpuS: eventsPerCpuS,
        sandboxCpuS: round(sandboxCpuS, 3),
        getLogEventsBoundS: readBound.seconds,
        memoryMb: {
          baselineRss: toMb(baselineRss),
          peakRss: peakRssMb,
          sampledPeakRss: toMb(peaks.rssBytes),
          peakHeapUsed: toMb(peaks.heapUsedBytes),
          peakLiveHeap: toMb(peaks.liveHeapBytes),
          peakHeapTotal: toMb(peaks.heapTotalBytes),
          peakExternal: toMb(peaks.externalBytes),
        },
        outcome: result?.outcome,
        calls: figures,
        callStats: totals,
      },
      notes: [
        `memory: RSS ${toMb(baselineRss)} MB before the run (node + tsx + SDK), peak ${peakRssMb} MB; heap used ≤ ${toMb(peaks.heapUsedBytes)} MB (≤ ${toMb(peaks.liveHeapBytes)} MB still in use after V8's full GCs), external ≤ ${toMb(peaks.externalBytes)} MB`,
        cpuMode
          ? `rebuild ${rebuildS} s: cwl-trim CPU ${round(cpuS, 2)} s, sandbox process CPU ${round(sandboxCpuS, 2)} s (the sandbox parses, stores and serves every event too)`
          : `rebuild ${rebuildS} s (${eventsPerS.toLocaleString('en-US')} events/s): saving ${saveS} s, putting back ${round(rebuildS - saveS, 3)} s; reading alone is bound to ${readBound.seconds} s by GetLogEvents at ${round(deps.call.limiters.allowedTps('GetLogEvents'), 2)}/s`,
        ...callLines(figures),
      ],
    };
  } finally {
    await sandbox.stop();
  }
}

export { REBUILD_DEFAULTS, runBigRebuild };
export type { RebuildParams };
