/**
 * The knobs tests and benchmarks turn: per-operation latency, per-operation TPS quotas answered
 * with throttling, and planned faults (an error, or a dropped connection, on the Nth call).
 */
import { performance } from 'node:perf_hooks';
import type { CallRecord, FaultSpec, LatencySpec, StallPhase } from './types.js';

interface ArmedFault {
  readonly spec: FaultSpec;
  readonly nth: number;
  readonly times: number;
  /** Calls of the operation seen since the fault was injected. */
  seen: number;
}

interface ArmedStall {
  readonly nth: number;
  readonly phase: StallPhase;
  readonly where: (record: CallRecord) => boolean;
  /** Mutating calls (matching `where`) seen since the stall was armed. */
  seen: number;
  readonly reached: (record: CallRecord) => void;
}

interface TokenBucket {
  tokens: number;
  lastMs: number;
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`Expected \`${name}\` to be a positive integer, got ${v}`);
  return v;
}

function checkLatency(ms: LatencySpec): LatencySpec {
  const [min, max] = typeof ms === 'number' ? [ms, ms] : ms;
  if (!(min >= 0 && max >= min))
    throw new TypeError(`Expected a latency ≥ 0 ms (or [min, max] with min ≤ max), got ${String(ms)}`);
  return ms;
}

/** Latency, quota and fault settings, consulted by the HTTP pipeline for every call. */
/** A share of calls answered with an error, drawn at random per call. */
interface FaultRate {
  readonly rate: number;
  readonly error?: FaultSpec['error'];
}

class Knobs {
  #faults: ArmedFault[] = [];
  #stalls: ArmedStall[] = [];
  readonly #rates = new Map<string, FaultRate>();
  readonly #latency = new Map<string, LatencySpec>();
  readonly #quotas = new Map<string, number>();
  readonly #buckets = new Map<string, TokenBucket>();

  public constructor(
    latency: Readonly<Record<string, LatencySpec | undefined>>,
    quotas: Readonly<Record<string, number | undefined>>,
  ) {
    for (const [op, ms] of Object.entries(latency)) if (ms !== undefined) this.setLatency(op, ms);
    for (const [op, tps] of Object.entries(quotas)) this.setQuota(op, tps);
  }

  public injectFault(spec: FaultSpec): void {
    if (!spec.operation) throw new TypeError('Expected `operation` to name an operation (or `*`)');
    const nth = positiveInteger(spec.nth, 'nth', 1);
    const times = positiveInteger(spec.times, 'times', 1);
    this.#faults.push({ spec, nth, times, seen: 0 });
  }

  /**
   * Holds the `nth` mutating call from now without ever answering it: `before` it is applied (the
   * caller died just before sending it) or `after` (it took effect, the caller never heard). The
   * promise resolves once the call is held, so a test can kill the caller at that exact point.
   */
  public stallMutating(
    nth: number,
    phase: StallPhase,
    where: (record: CallRecord) => boolean = () => true,
  ): Promise<CallRecord> {
    const n = positiveInteger(nth, 'nth', 1);
    return new Promise((resolve) => this.#stalls.push({ nth: n, phase, where, seen: 0, reached: resolve }));
  }

  /** Counts a mutating call against every armed stall; returns the phase of the one it reaches. */
  public takeStall(record: CallRecord, mutating: boolean): StallPhase | undefined {
    if (!mutating) return undefined;
    let phase: StallPhase | undefined;
    for (const stall of this.#stalls) {
      if (!stall.where(record)) continue;
      stall.seen += 1;
      if (stall.seen === stall.nth && phase === undefined) {
        phase = stall.phase;
        stall.reached(record);
      }
    }
    this.#stalls = this.#stalls.filter((s) => s.seen < s.nth);
    return phase;
  }

  public clearFaults(): void {
    this.#faults = [];
    this.#stalls = [];
    this.#rates.clear();
  }

  /**
   * Answers `rate` (0–1) of the calls of `operation` (or `*`) with `error` (default: throttling),
   * at random: the "30 % of calls throttled" weather a real account can have.
   */
  public setFaultRate(operation: string, rate: number, error?: FaultSpec['error']): void {
    if (!(rate >= 0 && rate <= 1)) throw new TypeError(`Expected a fault rate between 0 and 1, got ${rate}`);
    this.#rates.set(operation, error === undefined ? { rate } : { rate, error });
  }

  /** Counts this call against every fault armed for its operation (and path); returns the one that fires. */
  public takeFault(operation: string, path = ''): FaultSpec | undefined {
    let fired: FaultSpec | undefined;
    for (const fault of this.#faults) {
      if (fault.spec.operation !== operation && fault.spec.operation !== '*') continue;
      if (fault.spec.pathContains !== undefined && !path.includes(fault.spec.pathContains)) continue;
      fault.seen += 1;
      if (fired === undefined && fault.seen >= fault.nth && fault.seen < fault.nth + fault.times) fired = fault.spec;
    }
    this.#faults = this.#faults.filter((f) => f.seen < f.nth + f.times - 1);
    if (fired) return fired;
    const rate = this.#rates.get(operation) ?? this.#rates.get('*');
    if (rate && Math.random() < rate.rate) {
      return rate.error === undefined ? { operation, throttle: true } : { operation, error: rate.error };
    }
    return undefined;
  }

  public setLatency(operation: string, ms: LatencySpec): void {
    this.#latency.set(operation, checkLatency(ms));
  }

  /** Milliseconds to wait before answering this call. */
  public latencyFor(operation: string): number {
    const spec = this.#latency.get(operation) ?? this.#latency.get('*');
    if (spec === undefined) return 0;
    if (typeof spec === 'number') return spec;
    return spec[0] + Math.random() * (spec[1] - spec[0]);
  }

  public setQuota(operation: string, tps: number | undefined): void {
    this.#buckets.delete(operation);
    if (tps === undefined) {
      this.#quotas.delete(operation);
      return;
    }
    if (!(tps > 0)) throw new TypeError(`Expected a quota > 0 TPS for ${operation}, got ${tps}`);
    this.#quotas.set(operation, tps);
  }

  /**
   * A token bucket per operation holding up to one second of calls, refilled continuously in real
   * time: bursts up to the quota pass, a sustained rate above it is throttled.
   */
  public allow(operation: string): boolean {
    const tps = this.#quotas.get(operation);
    if (tps === undefined) return true;
    const nowMs = performance.now();
    const capacity = Math.max(1, tps);
    const bucket = this.#buckets.get(operation) ?? { tokens: capacity, lastMs: nowMs };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((nowMs - bucket.lastMs) / 1000) * tps);
    bucket.lastMs = nowMs;
    this.#buckets.set(operation, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

export { Knobs };
