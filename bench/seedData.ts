/**
 * The accounts the benchmarks run against, generated inside the sandbox process (so that the events
 * never live in the measured cwl-trim process). Deterministic: the same spec seeds the same account.
 *
 * Every time range stays well clear of the cutoff (now − DAYS) and of the rebuild guards (idle ≥ 13 h,
 * kept events younger than 14 d − 25 h), so the work a run must do is known before it starts, whatever
 * the seconds between seeding and planning.
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, PUT_EVENT_OVERHEAD_BYTES } from '../src/constants.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { seededRandom } from '@cwl-trim/sandbox';

/** What the run must find to keep: one straddling stream's events at or after the cutoff. */
interface KeptStream {
  readonly group: string;
  readonly stream: string;
  readonly events: number;
  /** PutLogEvents bytes: UTF-8 message bytes + 26 per event. */
  readonly bytes: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

interface FleetSpec {
  readonly groups: number;
  readonly expiredPerGroup: number;
  readonly currentPerGroup: number;
  /** How many groups (the first ones) also hold one straddling stream. */
  readonly straddlingGroups: number;
  /** Events to keep in each straddling stream. */
  readonly straddlingKeptEvents: number;
}

interface FleetSeeded {
  readonly groups: number;
  readonly streams: number;
  readonly expired: number;
  readonly current: number;
  readonly straddling: readonly KeptStream[];
  /** DescribeLogStreams pages the groups take (50 streams a page, at least one). */
  readonly streamPages: number;
}

interface BigStreamSpec {
  readonly keptEvents: number;
  readonly oldEvents: number;
  /** Target message length in bytes (ASCII). */
  readonly messageBytes: number;
}

const hex = (r: () => number, n: number): string => {
  let s = '';
  while (s.length < n)
    s += Math.floor(r() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, n);
};

const FILLER = 'handler=orders.process region=us-east-1 cold=false memMB=512 billedMs=3 version=$LATEST '.repeat(8);

/** A structured application log line of about `bytes` ASCII bytes: realistic to gzip, not constant. */
function logLine(r: () => number, i: number, bytes: number): string {
  const head =
    `{"level":"info","requestId":"${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}","seq":${i},` +
    `"route":"/api/orders/${Math.floor(r() * 1e6)}","status":${r() < 0.97 ? 200 : 500},"ms":${Math.floor(r() * 900)}}`;
  return head.length >= bytes ? head.slice(0, bytes) : head + ' ' + FILLER.slice(0, bytes - head.length - 1);
}

/** `2026/11/10/[$LATEST]<32 hex>`: the name Lambda gives every execution environment's stream. */
function lambdaStreamName(r: () => number, dayMs: number): string {
  const d = new Date(dayMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/[$LATEST]${hex(r, 32)}`;
}

/** `count` events evenly spread over [fromMs, toMs]. */
function spread(r: () => number, count: number, fromMs: number, toMs: number, bytes: number): SeedEvent[] {
  const step = count > 1 ? (toMs - fromMs) / (count - 1) : 0;
  return Array.from({ length: count }, (_, i) => ({
    timestamp: Math.round(fromMs + i * step),
    message: logLine(r, i, bytes),
  }));
}

const putBytes = (events: readonly SeedEvent[]): number =>
  events.reduce((n, e) => n + Buffer.byteLength(e.message, 'utf8') + PUT_EVENT_OVERHEAD_BYTES, 0);

/**
 * Lambda-style groups: many short expired streams (8–40 days old, a few events each), some current
 * streams (last 3 days), and in the first `straddlingGroups` groups one long straddling stream whose
 * kept half lies 6 days to 14 hours back (DAYS = 7).
 */
function seedFleet(sandbox: Sandbox, spec: FleetSpec, nowMs: number): FleetSeeded {
  const r = seededRandom(7);
  const straddling: KeptStream[] = [];
  let streamPages = 0;
  for (let g = 0; g < spec.groups; g += 1) {
    const group = `/aws/lambda/fleet-fn-${String(g).padStart(4, '0')}`;
    sandbox.seedGroup(group, { creationTimeMs: nowMs - 45 * MS_PER_DAY });
    for (let s = 0; s < spec.expiredPerGroup; s += 1) {
      const startMs = nowMs - (8 + r() * 32) * MS_PER_DAY;
      sandbox.seedStream(
        group,
        lambdaStreamName(r, startMs),
        spread(r, 3 + Math.floor(r() * 6), startMs, startMs + 15 * MS_PER_MINUTE, 120),
      );
    }
    for (let s = 0; s < spec.currentPerGroup; s += 1) {
      const startMs = nowMs - (2 + r() * 1) * MS_PER_DAY;
      sandbox.seedStream(group, lambdaStreamName(r, startMs), spread(r, 5, startMs, startMs + 10 * MS_PER_MINUTE, 120));
    }
    let streams = spec.expiredPerGroup + spec.currentPerGroup;
    if (g < spec.straddlingGroups) {
      const stream = `straddling-${g}`;
      const old = spread(r, 200, nowMs - 9 * MS_PER_DAY, nowMs - 8 * MS_PER_DAY, 150);
      const kept = spread(r, spec.straddlingKeptEvents, nowMs - 6 * MS_PER_DAY, nowMs - 14 * MS_PER_HOUR, 150);
      sandbox.seedStream(group, stream, [...old, ...kept]);
      straddling.push({
        group,
        stream,
        events: kept.length,
        bytes: putBytes(kept),
        firstMs: kept[0]!.timestamp,
        lastMs: kept.at(-1)!.timestamp,
      });
      streams += 1;
    }
    streamPages += Math.max(1, Math.ceil(streams / 50));
  }
  const streams = spec.groups * (spec.expiredPerGroup + spec.currentPerGroup) + straddling.length;
  return {
    groups: spec.groups,
    streams,
    expired: spec.groups * spec.expiredPerGroup,
    current: spec.groups * spec.currentPerGroup,
    straddling,
    streamPages,
  };
}

/**
 * One group holding one straddling stream: `oldEvents` 10 to 8 days back (archived, then trimmed) and
 * `keptEvents` from 6.5 days to 14 hours back, seeded in chunks so the sandbox never copies it whole.
 */
function seedBigStream(sandbox: Sandbox, spec: BigStreamSpec, nowMs: number): KeptStream {
  const r = seededRandom(11);
  const group = '/bench/big-rebuild';
  const stream = 'worker-0';
  sandbox.seedGroup(group, { creationTimeMs: nowMs - 11 * MS_PER_DAY });
  sandbox.seedStream(
    group,
    stream,
    spread(r, spec.oldEvents, nowMs - 10 * MS_PER_DAY, nowMs - 8 * MS_PER_DAY, spec.messageBytes),
  );
  const fromMs = nowMs - 6.5 * MS_PER_DAY;
  const toMs = nowMs - 14 * MS_PER_HOUR;
  const step = (toMs - fromMs) / Math.max(1, spec.keptEvents - 1);
  const CHUNK = 50_000;
  let bytes = 0;
  for (let start = 0; start < spec.keptEvents; start += CHUNK) {
    const chunk: SeedEvent[] = [];
    for (let i = start; i < Math.min(spec.keptEvents, start + CHUNK); i += 1) {
      chunk.push({ timestamp: Math.round(fromMs + i * step), message: logLine(r, i, spec.messageBytes) });
    }
    bytes += putBytes(chunk);
    sandbox.seedStream(group, stream, chunk);
  }
  return {
    group,
    stream,
    events: spec.keptEvents,
    bytes,
    firstMs: Math.round(fromMs),
    lastMs: Math.round(fromMs + (spec.keptEvents - 1) * step),
  };
}

/** `groups` groups never archived, each with one expired stream (a few events) and one current stream. */
function seedBacklog(sandbox: Sandbox, groups: number, nowMs: number): { groups: number; expired: number } {
  const r = seededRandom(13);
  for (let g = 0; g < groups; g += 1) {
    const group = `/aws/lambda/backlog-fn-${String(g).padStart(4, '0')}`;
    sandbox.seedGroup(group, { creationTimeMs: nowMs - 30 * MS_PER_DAY });
    const startMs = nowMs - (10 + r() * 15) * MS_PER_DAY;
    sandbox.seedStream(group, lambdaStreamName(r, startMs), spread(r, 5, startMs, startMs + 5 * MS_PER_MINUTE, 120));
    sandbox.seedStream(
      group,
      lambdaStreamName(r, nowMs),
      spread(r, 5, nowMs - 2 * MS_PER_DAY, nowMs - MS_PER_DAY, 120),
    );
  }
  return { groups, expired: groups };
}

export { seedBacklog, seedBigStream, seedFleet };
export type { BigStreamSpec, FleetSeeded, FleetSpec, KeptStream };
