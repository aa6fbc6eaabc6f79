/**
 * The accounts of the huge-group and huge-drain benchmarks: one or many Lambda-style groups of
 * `streamsPerGroup` streams, most expired, some current, a few straddling. Generated, never stored:
 * the same spec and `nowMs` give the same streams and events, so the sandbox process seeds from the
 * generator and checks the end state event by event against it again.
 *
 * Time ranges stay hours clear of the cutoff (DAYS = 7) and of the rebuild guards, as in seedData.ts.
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../src/constants.js';
import { seededRandom } from '@cwl-trim/sandbox';
import type { SeedEvent } from '@cwl-trim/sandbox';

interface HugeSpec {
  readonly groups: number;
  readonly streamsPerGroup: number;
  /** Share (0–1) of each group's other streams that are expired; the rest are current. */
  readonly expiredShare: number;
  /** Straddling streams in each group (a few). */
  readonly straddlingPerGroup: number;
  /** Events each straddling stream keeps (besides 20 old ones). */
  readonly straddlingKeptEvents: number;
  /** Events of each expired or current stream. */
  readonly eventsPerStream: number;
  /** Group names are `${groupPrefix}${index, 5 digits}`. */
  readonly groupPrefix: string;
}

type StreamKind = 'expired' | 'current' | 'straddling';

interface HugeStream {
  readonly group: string;
  readonly name: string;
  readonly kind: StreamKind;
  readonly events: readonly SeedEvent[];
  /** Straddling: how many of its events (the last ones) are at or after the cutoff. */
  readonly keptEvents: number;
}

interface HugeSummary {
  readonly groups: number;
  streams: number;
  expired: number;
  current: number;
  straddling: number;
  events: number;
  /** Straddling streams' kept events: what PutLogEvents must put back. */
  keptEvents: number;
  keptBytes: number;
  /** One full listing: ceil(streams / 50) DescribeLogStreams pages per group (at least one). */
  readonly streamPages: number;
}

/** A V8 string built by concatenation is a tree of pieces; a flat copy costs a third less to hold. */
const flat = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

const hex = (r: () => number, n: number): string => {
  let s = '';
  while (s.length < n)
    s += Math.floor(r() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, n);
};

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `2026/11/10/[$LATEST]<32 hex>`: Lambda's stream names, which sort by day. */
function lambdaName(r: () => number, startMs: number): string {
  const d = new Date(startMs);
  return flat(`${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/[$LATEST]${hex(r, 32)}`);
}

function events(r: () => number, count: number, fromMs: number, toMs: number): SeedEvent[] {
  const step = count > 1 ? (toMs - fromMs) / (count - 1) : 0;
  return Array.from({ length: count }, (_, i) => ({
    timestamp: Math.round(fromMs + i * step),
    message: flat(`{"level":"info","requestId":"${hex(r, 8)}","seq":${i},"ms":${Math.floor(r() * 900)}}`),
  }));
}

const groupName = (spec: HugeSpec, g: number): string => `${spec.groupPrefix}${String(g).padStart(5, '0')}`;

/** The streams of group `g`, in a fixed order; straddling ones are spread through the group. */
function* groupStreams(spec: HugeSpec, g: number, nowMs: number): Generator<HugeStream> {
  const r = seededRandom(1000 + g);
  const group = groupName(spec, g);
  const every = Math.max(1, Math.floor(spec.streamsPerGroup / Math.max(1, spec.straddlingPerGroup)));
  let straddling = 0;
  for (let i = 0; i < spec.streamsPerGroup; i++) {
    if (straddling < spec.straddlingPerGroup && i % every === every >> 1) {
      straddling += 1;
      const old = events(r, 20, nowMs - 9 * MS_PER_DAY, nowMs - 8 * MS_PER_DAY);
      const kept = events(r, spec.straddlingKeptEvents, nowMs - 6 * MS_PER_DAY, nowMs - 14 * MS_PER_HOUR);
      yield {
        group,
        name: lambdaName(r, nowMs - 9 * MS_PER_DAY),
        kind: 'straddling',
        events: [...old, ...kept],
        keptEvents: kept.length,
      };
    } else if (r() < spec.expiredShare) {
      const startMs = nowMs - (8 + r() * 32) * MS_PER_DAY;
      yield {
        group,
        name: lambdaName(r, startMs),
        kind: 'expired',
        events: events(r, spec.eventsPerStream, startMs, startMs + 15 * MS_PER_MINUTE),
        keptEvents: 0,
      };
    } else {
      const startMs = nowMs - (2 + r()) * MS_PER_DAY;
      yield {
        group,
        name: lambdaName(r, startMs),
        kind: 'current',
        events: events(r, spec.eventsPerStream, startMs, startMs + 10 * MS_PER_MINUTE),
        keptEvents: 0,
      };
    }
  }
}

/** Every stream of the account, group by group. */
function* hugeStreams(spec: HugeSpec, nowMs: number): Generator<HugeStream> {
  for (let g = 0; g < spec.groups; g++) yield* groupStreams(spec, g, nowMs);
}

/** The counts of an account before any stream is counted. */
const emptySummary = (spec: HugeSpec): HugeSummary => ({
  groups: spec.groups,
  streams: 0,
  expired: 0,
  current: 0,
  straddling: 0,
  events: 0,
  keptEvents: 0,
  keptBytes: 0,
  streamPages: spec.groups * Math.max(1, Math.ceil(spec.streamsPerGroup / 50)),
});

/** `summary` with `streams` counted in. */
function countStreams(summary: HugeSummary, streams: Iterable<HugeStream>): HugeSummary {
  const n = { ...summary };
  for (const s of streams) {
    n.streams += 1;
    n[s.kind] += 1;
    n.events += s.events.length;
    n.keptEvents += s.keptEvents;
    for (const e of s.events.slice(s.events.length - s.keptEvents)) n.keptBytes += Buffer.byteLength(e.message) + 26;
  }
  return n;
}

/** Counts over the account, for the minimums and the report. */
const summarize = (spec: HugeSpec, nowMs: number): HugeSummary =>
  countStreams(emptySummary(spec), hugeStreams(spec, nowMs));

export { countStreams, emptySummary, groupName, groupStreams, hugeStreams, summarize };
export type { HugeSpec, HugeStream, HugeSummary, StreamKind };
