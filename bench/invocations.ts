/**
 * Runs cwl-trim the way Lambda does, one process per invocation, from the benchmark's side: starts
 * bench/lambdaInvocation.ts, measures its RSS from /proc (so a process killed at its timeout is
 * measured too), kills it at the scaled Lambda timeout as Lambda would, and follows the handler's
 * own continuation (the Invoke it sent to the sandbox) from one invocation to the next.
 */
import { readFileSync } from 'node:fs';
import type { InvocationJob } from './lambdaInvocation.js';
import { forkTs, type SandboxProcess } from './sandboxClient.js';

interface InvocationRecord {
  readonly mode: InvocationJob['mode'];
  readonly event: unknown;
  /** Killed at the scaled timeout (Lambda's) before it answered. */
  readonly killed: boolean;
  readonly wallS: number;
  /** Highest RSS of the cwl-trim process (VmHWM), MB. */
  readonly peakRssMb: number;
  readonly startedAtMs: number;
  /** The handler's summary (mode handler) or the plan's totals (mode plan); absent when killed. */
  readonly result?: unknown;
  readonly error?: string;
  /** Calls the sandbox received during the invocation, by operation. */
  readonly calls: Record<string, number>;
  /** DeleteLogStream calls of data streams (cwl-trim's lock stream aside). */
  readonly dataDeletes: number;
  /** Seconds from the invocation's start to its first successful DeleteLogStream of a data stream. */
  readonly firstDeleteS?: number;
  /**
   * Seconds to that delete from the first page of streams read before it (DescribeLogStreams in name
   * order, after the last export verified before it): what the issue asks to be a few seconds.
   */
  readonly firstDeleteAfterPageS?: number;
  /** The payload of the Invoke the handler sent to continue itself, if it did. */
  readonly next?: unknown;
}

/** VmHWM (the process's peak RSS) from /proc, bytes; 0 once it is gone. */
function peakRssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const MB = 1024 * 1024;
const round1 = (n: number): number => Math.round(n * 10) / 10;

/** One invocation in its own process, killed `killAfterMs` after it started unless it answered first. */
async function runInvocation(
  sandbox: SandboxProcess,
  job: InvocationJob,
  killAfterMs: number,
): Promise<InvocationRecord> {
  const child = forkTs('./lambdaInvocation.ts', [JSON.stringify(job)], ['--max-old-space-size=4096']);
  let peak = 0;
  let startedAtMs = 0;
  let killed = false;
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRssBytes(child.pid));
  }, 100);
  const answer = await new Promise<{ result?: unknown; error?: string; maxRssBytes?: number }>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled: { result?: unknown; error?: string; maxRssBytes?: number } | undefined;
    child.on(
      'message',
      (m: { ready?: boolean; started?: number; result?: unknown; error?: string; maxRssBytes?: number }) => {
        if (m.ready) child.send({ go: true });
        else if (m.started !== undefined) {
          startedAtMs = m.started;
          timer = setTimeout(() => {
            peak = Math.max(peak, peakRssBytes(child.pid));
            killed = true;
            child.kill('SIGKILL');
          }, killAfterMs);
        } else {
          peak = Math.max(peak, peakRssBytes(child.pid));
          settled = m;
        }
      },
    );
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(settled ?? {});
    });
  });
  clearInterval(sampler);
  const wallS = startedAtMs === 0 ? 0 : (Date.now() - startedAtMs) / 1000;
  const since = await sandbox.request<{
    counts: Record<string, number>;
    dataDeletes: number;
    firstDeleteMs?: number;
    firstListingMs?: number;
    invokes: unknown[];
  }>('callsSince', { sinceMs: startedAtMs });
  const next = since.invokes.at(-1);
  return {
    mode: job.mode,
    event: job.event,
    killed,
    wallS: round1(killed ? killAfterMs / 1000 : wallS),
    peakRssMb: round1(Math.max(peak, answer.maxRssBytes ?? 0) / MB),
    startedAtMs,
    ...(answer.result !== undefined ? { result: answer.result } : {}),
    ...(answer.error !== undefined ? { error: answer.error } : {}),
    calls: since.counts,
    dataDeletes: since.dataDeletes,
    ...(since.firstDeleteMs !== undefined ? { firstDeleteS: round1((since.firstDeleteMs - startedAtMs) / 1000) } : {}),
    ...(since.firstDeleteMs !== undefined && since.firstListingMs !== undefined
      ? { firstDeleteAfterPageS: round1((since.firstDeleteMs - since.firstListingMs) / 1000) }
      : {}),
    ...(next !== undefined ? { next } : {}),
  };
}

interface ChainOptions {
  /** The job of every invocation but its event and clock. */
  readonly job: Omit<InvocationJob, 'event' | 'virtualAtGoMs' | 'mode'>;
  /** Stop after this many invocations (a chain that does not converge still reports). */
  readonly maxInvocations: number;
  /** Where the scaled clock starts (ms since the epoch). */
  readonly virtualStartMs: number;
  /** Called after each invocation (progress lines). */
  readonly onInvocation?: (record: InvocationRecord, index: number) => void;
  /** Ends the chain early (before it converges) once this holds of the invocations so far. */
  readonly stopWhen?: (records: readonly InvocationRecord[]) => boolean;
}

/** The lease of a killed run must expire before a scheduled run gets in: 20 minutes, plus one. */
const SCHEDULED_RESTART_GAP_MS = 21 * 60_000;

interface ChainResult {
  readonly invocations: readonly InvocationRecord[];
  /** The last invocation answered with outcome done. */
  readonly converged: boolean;
  /** Times the chain stopped with work left and a fresh scheduled run (continuation 0) started it again. */
  readonly scheduledRestarts: number;
}

/**
 * Invokes the handler as Lambda would: the first time with a scheduled event, then with the payload
 * of the Invoke the handler sent itself, until an invocation answers `done` or `maxInvocations` is
 * reached. When the chain stops with work left (killed, no progress, its cap), the next invocation is
 * the next scheduled run, its clock moved past the lease a killed run leaves.
 */
async function runChain(sandbox: SandboxProcess, options: ChainOptions): Promise<ChainResult> {
  const invocations: InvocationRecord[] = [];
  let virtualMs = options.virtualStartMs;
  let event: unknown = {};
  let scheduledRestarts = 0;
  const { factor, timeoutMs } = options.job;
  while (invocations.length < options.maxInvocations) {
    const record = await runInvocation(
      sandbox,
      { ...options.job, mode: 'handler', event, virtualAtGoMs: virtualMs },
      timeoutMs,
    );
    invocations.push(record);
    options.onInvocation?.(record, invocations.length - 1);
    if (options.stopWhen?.(invocations)) return { invocations, converged: false, scheduledRestarts };
    virtualMs += record.wallS * 1000 * factor;
    const outcome = (record.result as { outcome?: string } | undefined)?.outcome;
    if (outcome === 'done') return { invocations, converged: true, scheduledRestarts };
    if (record.next !== undefined) {
      event = record.next;
    } else {
      event = {};
      virtualMs += SCHEDULED_RESTART_GAP_MS;
      scheduledRestarts += 1;
    }
  }
  return { invocations, converged: false, scheduledRestarts };
}

/** A one-line account of an invocation for the progress output. */
function describeInvocation(r: InvocationRecord, index: number): string {
  const summary = r.result as { outcome?: string; next?: { invoked: boolean; reason: string } } | undefined;
  const what = r.killed
    ? 'KILLED at the timeout'
    : r.error
      ? `failed: ${r.error.split('\n')[0]}`
      : `${summary?.outcome ?? 'planned'}`;
  const next = summary?.next ? ` · next: ${summary.next.invoked ? 'invoked' : 'no'} (${summary.next.reason})` : '';
  return `#${index + 1} ${r.mode} ${r.wallS} s, ${r.peakRssMb} MB, ${r.calls['DescribeLogStreams'] ?? 0} DescribeLogStreams, ${r.dataDeletes} deletes${r.firstDeleteS !== undefined ? `, first delete at ${r.firstDeleteS} s${r.firstDeleteAfterPageS !== undefined ? ` (${r.firstDeleteAfterPageS} s after its first page of streams)` : ''}` : ''}: ${what}${next}`;
}

export { SCHEDULED_RESTART_GAP_MS, describeInvocation, runChain, runInvocation };
export type { ChainOptions, ChainResult, InvocationRecord };
