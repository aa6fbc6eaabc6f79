/**
 * Huge group: one Lambda-style group of 1,000,000 streams (≥ 90 % expired, a few straddling), and the
 * same at 100,000 to show what depends on the stream count. At each size: a dry run (`cwl-trim plan`,
 * in its own process), then a few real invocations of the Lambda handler, each in its own process
 * killed at the scaled Lambda timeout as Lambda would, following the handler's own continuation.
 * Measured: cwl-trim's peak RSS (the worst process), seconds to the first DeleteLogStream from the
 * first page of streams read after the export is verified (what the issue asks) and from the
 * invocation's start, and what each invocation got done. A figure, not a test: a pipeline that makes no
 * progress still ends here, with `deletes: 0` and the reasons.
 */
import { round } from '../callFigures.js';
import { BENCH_BUCKET, scaledQuotas } from '../harness.js';
import type { HugeSpec, HugeSummary } from '../hugeAccount.js';
import { describeInvocation, runChain, runInvocation, type InvocationRecord } from '../invocations.js';
import { scaledJob } from '../lambdaScale.js';
import { startSandboxProcess } from '../sandboxClient.js';
import type { ScenarioResult, TargetCheck } from '../types.js';

interface HugeGroupParams {
  /** Streams in the group, one run per size. */
  readonly sizes: readonly number[];
  readonly quotaFactor: number;
  /**
   * Real invocations of the handler per size after the dry run, counted from the first that deletes
   * (those before it export: a million-stream export outlasts an invocation) …
   */
  readonly invocations: number;
  /** … and at most this many in all, per size. */
  readonly maxInvocations: number;
  readonly expiredShare: number;
  readonly straddling: number;
  readonly straddlingKeptEvents: number;
  readonly eventsPerStream: number;
  readonly latencyMs: readonly [number, number];
  readonly exportPendingMs: number;
  readonly exportRunningMs: number;
  /** The dry run is stopped after this long (the CLI has no deadline), real seconds. */
  readonly planTimeoutS: number;
}

const HUGE_GROUP_DEFAULTS: HugeGroupParams = {
  sizes: [1_000_000, 100_000],
  quotaFactor: 10,
  invocations: 3,
  maxInvocations: 12,
  expiredShare: 0.95,
  straddling: 5,
  straddlingKeptEvents: 200,
  eventsPerStream: 3,
  latencyMs: [2, 5],
  exportPendingMs: 500,
  exportRunningMs: 1_500,
  planTimeoutS: 300,
};

interface SizeRun {
  readonly streams: number;
  readonly seeded: HugeSummary & { seedSeconds: number };
  readonly sandboxRssMb: number;
  readonly plan: InvocationRecord;
  readonly invocations: readonly InvocationRecord[];
  readonly peakRssMb: number;
  /** From the invocation's start. */
  readonly secondsToFirstDelete?: number;
  /** From the first page of streams that invocation read (after its export was verified). */
  readonly secondsFromFirstPageToFirstDelete?: number;
  readonly deletes: number;
  readonly describeLogStreamsCalls: number;
}

const MB = 1024 * 1024;

async function runSize(p: HugeGroupParams, streams: number, log: (line: string) => void): Promise<SizeRun> {
  const f = p.quotaFactor;
  const sandbox = await startSandboxProcess(
    {
      latencyMs: { '*': p.latencyMs },
      quotasTps: scaledQuotas(f),
      exportTiming: { pendingMs: p.exportPendingMs, runningMs: p.exportRunningMs },
    },
    BENCH_BUCKET,
  );
  try {
    const spec: HugeSpec = {
      groups: 1,
      streamsPerGroup: streams,
      expiredShare: p.expiredShare,
      straddlingPerGroup: p.straddling,
      straddlingKeptEvents: p.straddlingKeptEvents,
      eventsPerStream: p.eventsPerStream,
      groupPrefix: '/aws/lambda/huge-fn-',
    };
    const nowMs = Date.now();
    const seeded = await sandbox.request<HugeSummary & { seedSeconds: number }>('seedHuge', { spec, nowMs });
    const usage = await sandbox.request<{ memory: NodeJS.MemoryUsage }>('usage');
    const sandboxRssMb = round(usage.memory.rss / MB, 1);
    log(
      `seeded ${streams.toLocaleString('en-US')} streams in ${round(seeded.seedSeconds, 1)} s; sandbox RSS ${sandboxRssMb} MB`,
    );
    await sandbox.request('clearCalls');
    const job = scaledJob(sandbox.endpoint, sandbox.region, f);
    const plan = await runInvocation(
      sandbox,
      { ...job, mode: 'plan', event: {}, virtualAtGoMs: Date.now() },
      p.planTimeoutS * 1000,
    );
    log(describeInvocation(plan, -1).replace('#0', 'dry run'));
    const chain = await runChain(sandbox, {
      job,
      maxInvocations: p.maxInvocations,
      virtualStartMs: Date.now(),
      onInvocation: (r, i) => log(describeInvocation(r, i)),
      stopWhen: (records) => {
        const first = records.findIndex((r) => r.dataDeletes > 0);
        return first >= 0 && records.length - first >= p.invocations;
      },
    });
    const all = [plan, ...chain.invocations];
    const firstDeleting = chain.invocations.find((r) => r.firstDeleteS !== undefined);
    return {
      streams,
      seeded,
      sandboxRssMb,
      plan,
      invocations: chain.invocations,
      peakRssMb: Math.max(...all.map((r) => r.peakRssMb)),
      ...(firstDeleting?.firstDeleteS !== undefined ? { secondsToFirstDelete: firstDeleting.firstDeleteS } : {}),
      ...(firstDeleting?.firstDeleteAfterPageS !== undefined
        ? { secondsFromFirstPageToFirstDelete: firstDeleting.firstDeleteAfterPageS }
        : {}),
      deletes: chain.invocations.reduce((n, r) => n + r.dataDeletes, 0),
      describeLogStreamsCalls: all.reduce((n, r) => n + (r.calls['DescribeLogStreams'] ?? 0), 0),
    };
  } finally {
    await sandbox.stop();
  }
}

/** The handler's own verdict on the invocation (its summary's `progress`). */
const progressed = (r: InvocationRecord): boolean =>
  (r.result as { progress?: boolean } | undefined)?.progress === true;

function targets(runs: readonly SizeRun[]): TargetCheck[] {
  const worst = Math.max(...runs.map((r) => r.peakRssMb));
  const firsts = runs.map((r) => r.secondsFromFirstPageToFirstDelete);
  const fromStart = runs.map((r) => r.secondsToFirstDelete);
  const defined = firsts.every((s) => s !== undefined);
  const [a, b] = [Math.min(...(firsts as number[])), Math.max(...(firsts as number[]))];
  const sizes = runs.map((r) => r.streams.toLocaleString('en-US')).join(' / ');
  return [
    {
      target: 'Huge group: peak RSS ≤ 256 MB (worst cwl-trim process, dry run included)',
      measured: runs.map((r) => `${r.streams.toLocaleString('en-US')}: ${r.peakRssMb} MB`).join(', '),
      met: worst <= 256,
    },
    {
      target:
        'Huge group: first delete within seconds of the first page of streams read after the export is verified, independent of the stream count (≤ 5 s, within 25 % or 2 s)',
      measured: `${sizes} streams: ${firsts.map((s) => (s === undefined ? 'no delete' : `${s} s`)).join(' / ')} after that page (${fromStart.map((s) => (s === undefined ? '—' : `${s} s`)).join(' / ')} after the invocation started)`,
      met: defined && b <= 5 && b - a <= Math.max(2, 0.25 * a),
    },
    {
      target:
        'Huge group: every invocation makes progress and continues the chain (exports until its export is verified, then deletes in each)',
      measured: runs
        .map(
          (r) =>
            `${r.streams.toLocaleString('en-US')}: ${r.invocations.map((i) => (i.dataDeletes > 0 ? String(i.dataDeletes) : progressed(i) ? 'export' : 'none')).join(' + ')} deletes`,
        )
        .join(', '),
      met: runs.every((r) => {
        const first = r.invocations.findIndex((i) => i.dataDeletes > 0);
        return (
          first >= 0 &&
          r.invocations.every((i) => progressed(i) && !i.killed) &&
          r.invocations.slice(first).every((i) => i.dataDeletes > 0)
        );
      }),
    },
  ];
}

async function runHugeGroup(overrides: Partial<HugeGroupParams> = {}): Promise<ScenarioResult> {
  const p = { ...HUGE_GROUP_DEFAULTS, ...overrides };
  const notes: string[] = [];
  const log = (line: string): void => {
    console.log(`  ${line}`);
    notes.push(line);
  };
  const runs: SizeRun[] = [];
  for (const streams of p.sizes) runs.push(await runSize(p, streams, log));
  const big = runs[0]!;
  return {
    name: 'huge-group',
    row: {
      scenario: 'Huge group',
      work: `${p.sizes.map((n) => n.toLocaleString('en-US')).join(' and ')} streams: dry run + ${runs.map((r) => r.invocations.length).join(' and ')} invocations (× ${p.quotaFactor})`,
      wallS: round(
        runs.reduce((s, r) => s + r.plan.wallS + r.invocations.reduce((t, i) => t + i.wallS, 0), 0),
        1,
      ),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    },
    targets: targets(runs),
    params: p,
    figures: {
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      secondsToFirstDelete: Object.fromEntries(runs.map((r) => [r.streams, r.secondsToFirstDelete ?? null])),
      secondsFromFirstPageToFirstDelete: Object.fromEntries(
        runs.map((r) => [r.streams, r.secondsFromFirstPageToFirstDelete ?? null]),
      ),
      sandboxRssMb: Object.fromEntries(runs.map((r) => [r.streams, r.sandboxRssMb])),
      sandboxBytesPerStream: Math.round((big.sandboxRssMb * MB) / big.streams),
      runs: runs.map((r) => ({
        streams: r.streams,
        seeded: r.seeded,
        peakRssMb: r.peakRssMb,
        secondsToFirstDelete: r.secondsToFirstDelete ?? null,
        secondsFromFirstPageToFirstDelete: r.secondsFromFirstPageToFirstDelete ?? null,
        deletes: r.deletes,
        describeLogStreamsCalls: r.describeLogStreamsCalls,
        describeLogStreamsMinimum: r.seeded.streamPages,
        dryRun: {
          wallS: r.plan.wallS,
          peakRssMb: r.plan.peakRssMb,
          killed: r.plan.killed,
          result: r.plan.result ?? null,
          error: r.plan.error ?? null,
        },
        invocations: r.invocations.map(({ event: _e, startedAtMs: _s, ...rest }) => rest),
      })),
    },
    notes,
  };
}

export { HUGE_GROUP_DEFAULTS, runHugeGroup };
export type { HugeGroupParams };
