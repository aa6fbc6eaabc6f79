/**
 * Huge drain: a backlog drained to the end through the Lambda handler's own continuation logic,
 * each invocation in its own process killed at the scaled Lambda timeout, the next one started with
 * the payload the handler sent to Lambda Invoke (or, when the chain stops with work left, by the next
 * scheduled run). Two variants: one group of 100,000 streams, and 2,000 groups × 50 streams.
 *
 * Measured: invocations against the least the quotas allow (quota-bound work ÷ usable time per
 * invocation, rounded up), DescribeLogStreams calls against one full listing, cwl-trim's worst peak
 * RSS, and at the end every seeded event checked: in CloudWatch or in the archive (lost otherwise),
 * never twice in CloudWatch (duplicated). Capped at `maxInvocations`: a chain that does not converge
 * reports `converged: false`.
 */
import { LOCK_SUFFIX, callLines, callFigures, quotaBound, round, type SandboxCounts } from '../callFigures.js';
import { describeLogStreamsMinimum, invocationsLowerBound } from '../drainFigures.js';
import { BENCH_BUCKET, scaledQuotas } from '../harness.js';
import type { HugeSpec, HugeSummary } from '../hugeAccount.js';
import { describeInvocation, runChain } from '../invocations.js';
import { scaledJob, scaledLimiters, usableSecondsPerInvocation } from '../lambdaScale.js';
import { startSandboxProcess } from '../sandboxClient.js';
import type { ScenarioResult } from '../types.js';
import type { HugeCheck } from '../verifyHuge.js';

interface HugeDrainParams {
  readonly variant: 'group' | 'fleet';
  readonly groups: number;
  readonly streamsPerGroup: number;
  readonly quotaFactor: number;
  readonly maxInvocations: number;
  readonly expiredShare: number;
  readonly straddlingPerGroup: number;
  readonly straddlingKeptEvents: number;
  readonly eventsPerStream: number;
  readonly latencyMs: readonly [number, number];
  readonly exportPendingMs: number;
  readonly exportRunningMs: number;
}

const VARIANTS: Record<HugeDrainParams['variant'], Omit<HugeDrainParams, 'variant'>> = {
  group: {
    groups: 1,
    streamsPerGroup: 100_000,
    quotaFactor: 40,
    maxInvocations: 40,
    expiredShare: 0.92,
    straddlingPerGroup: 5,
    straddlingKeptEvents: 200,
    eventsPerStream: 3,
    latencyMs: [1, 2],
    exportPendingMs: 100,
    exportRunningMs: 400,
  },
  fleet: {
    groups: 2_000,
    streamsPerGroup: 50,
    quotaFactor: 40,
    maxInvocations: 40,
    expiredShare: 0.92,
    straddlingPerGroup: 0,
    straddlingKeptEvents: 0,
    eventsPerStream: 3,
    latencyMs: [1, 2],
    exportPendingMs: 5,
    exportRunningMs: 10,
  },
};

/** The least each quota-bound operation is called to drain the account. */
function drainMinimum(seeded: HugeSummary): Record<string, number> {
  return {
    // The account's groups, cwl-trim's lock group (created by the run's first lock) among them.
    DescribeLogGroups: Math.ceil((seeded.groups + 1) / 50),
    DescribeLogStreams: seeded.streamPages,
    CreateExportTask: seeded.groups,
    DeleteLogStream: seeded.expired + seeded.straddling,
    CreateLogStream: seeded.straddling,
    // A few hundred kept events a stream: one read page and one put each.
    GetLogEvents: seeded.straddling * 2,
    PutLogEvents: seeded.straddling,
  };
}

async function runHugeDrain(overrides: Partial<HugeDrainParams> = {}): Promise<ScenarioResult> {
  const variant = overrides.variant ?? 'group';
  const p: HugeDrainParams = { variant, ...VARIANTS[variant], ...overrides };
  const f = p.quotaFactor;
  const notes: string[] = [];
  const log = (line: string): void => {
    console.log(`  ${line}`);
    notes.push(line);
  };
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
      groups: p.groups,
      streamsPerGroup: p.streamsPerGroup,
      expiredShare: p.expiredShare,
      straddlingPerGroup: p.straddlingPerGroup,
      straddlingKeptEvents: p.straddlingKeptEvents,
      eventsPerStream: p.eventsPerStream,
      groupPrefix: variant === 'group' ? '/aws/lambda/drain-fn-' : '/aws/lambda/drain-fleet-',
    };
    const nowMs = Date.now();
    const seeded = await sandbox.request<HugeSummary & { seedSeconds: number }>('seedHuge', { spec, nowMs });
    log(
      `seeded ${p.groups.toLocaleString('en-US')} × ${p.streamsPerGroup.toLocaleString('en-US')} streams (${seeded.expired.toLocaleString('en-US')} expired, ${seeded.straddling} straddling) in ${round(seeded.seedSeconds, 1)} s`,
    );
    await sandbox.request('clearCalls');
    const t0 = Date.now();
    const chain = await runChain(sandbox, {
      job: scaledJob(sandbox.endpoint, sandbox.region, f),
      maxInvocations: p.maxInvocations,
      virtualStartMs: nowMs,
      onInvocation: (r, i) => log(describeInvocation(r, i)),
    });
    const wallS = round((Date.now() - t0) / 1000, 1);
    const counts = await sandbox.request<SandboxCounts>('callCounts');
    const check = await sandbox.request<HugeCheck>('verifyHuge', { spec, nowMs, bucket: BENCH_BUCKET });

    const limiters = scaledLimiters(f);
    const minimum = drainMinimum(seeded);
    const quota = quotaBound(minimum, limiters);
    // The account runs one export task at a time: the tasks alone take this long.
    const exportSlotS = round((seeded.groups * (p.exportPendingMs + p.exportRunningMs)) / 1000, 3);
    const workS = Math.max(quota.seconds, exportSlotS);
    const usableS = usableSecondsPerInvocation(f);
    const lowerBound = invocationsLowerBound(workS, usableS);
    const invocations = chain.invocations.length;
    // Every DescribeLogStreams call, the group lock's included: the quota is one.
    const dlsCalls =
      (counts['DescribeLogStreams']?.calls ?? 0) + (counts[`DescribeLogStreams${LOCK_SUFFIX}`]?.calls ?? 0);
    const dlsMinimum = describeLogStreamsMinimum(Array.from({ length: seeded.groups }, () => p.streamsPerGroup));
    const peakRssMb = Math.max(...chain.invocations.map((r) => r.peakRssMb));
    const killed = chain.invocations.filter((r) => r.killed).length;
    const figures = callFigures(counts, minimum, limiters);
    await limiters.stop();
    const title =
      variant === 'group'
        ? `Huge drain, 1 × ${p.streamsPerGroup.toLocaleString('en-US')}`
        : `Huge drain, ${p.groups.toLocaleString('en-US')} × ${p.streamsPerGroup}`;
    return {
      name: `huge-drain-${variant}`,
      row: {
        scenario: title,
        work: `${seeded.streams.toLocaleString('en-US')} streams, ${seeded.expired.toLocaleString('en-US')} expired: ${invocations} invocations (bound ${lowerBound}), ${chain.converged ? 'converged' : 'NOT converged'} (× ${f})`,
        wallS,
        boundS: round(lowerBound * usableS, 1),
        callsVsMin: `DescribeLogStreams ${round(dlsCalls / dlsMinimum, 2)}×`,
        throttledFailed: `${counts['DeleteLogStream']?.errors['ThrottlingException'] ?? 0} / —`,
        peakRssMb,
      },
      targets: [
        {
          target: `${title}: converged`,
          measured: `${chain.converged ? 'done' : 'not done'} after ${invocations} invocations (cap ${p.maxInvocations}), ${killed} killed at the timeout, ${chain.scheduledRestarts} scheduled restarts`,
          met: chain.converged,
        },
        {
          target: `${title}: invocations ≤ 1.1 × lower bound`,
          measured: `${invocations} / ${lowerBound}`,
          met: chain.converged && invocations <= 1.1 * lowerBound,
        },
        {
          target: `${title}: DescribeLogStreams ≤ 1.2 × one full listing`,
          measured: `${dlsCalls} / ${dlsMinimum}`,
          met: dlsCalls <= 1.2 * dlsMinimum,
        },
        { target: `${title}: peak RSS ≤ 256 MB`, measured: `${peakRssMb} MB`, met: peakRssMb <= 256 },
        {
          target: `${title}: 0 lost, 0 duplicated (event by event)`,
          measured: `${check.checked.toLocaleString('en-US')} events: ${check.lost} lost, ${check.duplicated} duplicated, ${check.unexpected} unexpected`,
          met: check.lost === 0 && check.duplicated === 0,
        },
      ],
      params: { ...p },
      figures: {
        converged: chain.converged,
        peakRssMb,
        invocations,
        invocationsLowerBound: lowerBound,
        quotaBoundS: quota.seconds,
        busiestOperation: quota.operation,
        exportSlotBoundS: exportSlotS,
        usableSecondsPerInvocation: usableS,
        describeLogStreamsCalls: dlsCalls,
        describeLogStreamsMinimum: dlsMinimum,
        lost: check.lost,
        duplicated: check.duplicated,
        unexpected: check.unexpected,
        eventsChecked: check.checked,
        eventsArchived: check.archived,
        streamsLeft: check.left,
        straddlingHoldingOnlyKept: check.straddlingRebuilt,
        killedAtTimeout: killed,
        scheduledRestarts: chain.scheduledRestarts,
        wallS,
        seeded,
        calls: figures,
        invocationsDetail: chain.invocations.map(({ event: _e, startedAtMs: _s, ...rest }) => rest),
      },
      notes: [
        ...notes,
        `lower bound ${lowerBound} invocations = ceil(max(quota bound ${quota.seconds} s [${quota.operation}], export slot ${exportSlotS} s) ÷ ${usableS} s usable per invocation)`,
        `left: ${check.left.expired} expired, ${check.left.straddling} straddling, ${check.left.current} current streams; ${check.archived.toLocaleString('en-US')} events archived`,
        ...callLines(figures),
      ],
    };
  } finally {
    await sandbox.stop();
  }
}

export { VARIANTS as HUGE_DRAIN_VARIANTS, runHugeDrain };
export type { HugeDrainParams };
