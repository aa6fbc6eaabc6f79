/**
 * The demo's account: the kinds of log groups cwl-trim meets in real accounts, seeded into the
 * sandbox with history no API would accept (events up to a year old). Deterministic: the same
 * `nowMs` seeds the same events, so the demo's output only changes with the date.
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../constants.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { seededRandom } from '@cwl-trim/sandbox';

/** The tag the demo selects groups by (`--tag cwl-trim=managed`); one group goes without it. */
const DEMO_TAG = { key: 'cwl-trim', value: 'managed' } as const;
/** The demo's DAYS: events older than a week are archived, then trimmed. */
const DEMO_DAYS = 7;
const GB = 1024 ** 3;

interface DemoGroup {
  readonly logGroupName: string;
  /** What the group stands for, one line. */
  readonly about: string;
  readonly logGroupClass: 'STANDARD' | 'INFREQUENT_ACCESS';
  readonly tagged: boolean;
  readonly subscriptionFilter: boolean;
  /** The storedBytes the sandbox reports: what a real group of this shape would hold (the seed is a sample). */
  readonly storedBytes: number;
  readonly retentionInDays?: number;
}

interface SeededAccount {
  readonly groups: readonly DemoGroup[];
  /** Every seeded event by group, then stream: the proof counts the archive and CloudWatch against it. */
  readonly events: ReadonlyMap<string, ReadonlyMap<string, readonly SeedEvent[]>>;
}

const hex = (next: () => number, length: number): string =>
  Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join('');

/** Events every `everyMs` over `[fromMs, toMs]`, the last one at `toMs`: an application that logs steadily. */
function steady(label: string, fromMs: number, toMs: number, everyMs: number): SeedEvent[] {
  const events: SeedEvent[] = [];
  for (let t = toMs, i = Math.floor((toMs - fromMs) / everyMs); t >= fromMs; t -= everyMs, i -= 1) {
    events.push({ timestamp: t, message: `${label} #${i} handled request in ${20 + (i % 37)} ms` });
  }
  return events.reverse();
}

/**
 * 360 Lambda streams over 60 days, one to four invocations each (START, a log line, END, REPORT).
 * No stream starts within two hours of the cutoff: each stream is either wholly older or wholly
 * newer, as short Lambda streams almost always are.
 */
function lambdaStreams(nowMs: number, cutoffMs: number): Map<string, SeedEvent[]> {
  const next = seededRandom(20_261_121);
  const streams = new Map<string, SeedEvent[]>();
  const spanMs = 60 * MS_PER_DAY;
  for (let i = 0; i < 360; i += 1) {
    let start = nowMs - spanMs + Math.floor((i * spanMs) / 360 + next() * 2 * MS_PER_HOUR);
    if (Math.abs(start - cutoffMs) < 2 * MS_PER_HOUR) start += 4 * MS_PER_HOUR;
    if (start > nowMs - MS_PER_HOUR) start = nowMs - MS_PER_HOUR;
    const day = new Date(start).toISOString().slice(0, 10).replaceAll('-', '/');
    const events: SeedEvent[] = [];
    let t = start;
    for (let n = 1 + Math.floor(next() * 4); n > 0; n -= 1) {
      const id = `${hex(next, 8)}-${hex(next, 4)}-4${hex(next, 3)}-a${hex(next, 3)}-${hex(next, 12)}`;
      const ms = 40 + Math.floor(next() * 900);
      events.push({ timestamp: t, message: `START RequestId: ${id} Version: $LATEST` });
      events.push({ timestamp: t + 5, message: `INFO order ${hex(next, 6)} checked out for customer ${hex(next, 6)}` });
      events.push({ timestamp: t + ms, message: `END RequestId: ${id}` });
      events.push({
        timestamp: t + ms + 1,
        message: `REPORT RequestId: ${id} Duration: ${ms}.00 ms Billed Duration: ${ms} ms`,
      });
      t += ms + MS_PER_MINUTE + Math.floor(next() * 4 * MS_PER_MINUTE);
    }
    streams.set(`${day}/[$LATEST]${hex(next, 32)}`, events);
  }
  return streams;
}

/** Long-lived container hosts: one written for a year (retired 19 h ago), one still writing, two short ones. */
function serviceStreams(nowMs: number): Map<string, SeedEvent[]> {
  const ago = (days: number): number => nowMs - days * MS_PER_DAY;
  return new Map([
    ['web/i-0a1b2c3d4e5f60718', steady('web i-0a1b', ago(365), nowMs - 19 * MS_PER_HOUR, 3 * MS_PER_HOUR)],
    ['web/i-0b2c3d4e5f6071829', steady('web i-0b2c', ago(10), nowMs - 20 * MS_PER_MINUTE, 2 * MS_PER_HOUR)],
    ['web/i-0c3d4e5f607182930', steady('web i-0c3d', ago(9), ago(2), 2 * MS_PER_HOUR)],
    ['web/i-0d4e5f60718293a41', steady('web i-0d4e', ago(40), ago(16), 2 * MS_PER_HOUR)],
  ]);
}

function paymentStreams(nowMs: number): Map<string, SeedEvent[]> {
  const ago = (days: number): number => nowMs - days * MS_PER_DAY;
  return new Map([
    ['worker/4f1c9e', steady('payments worker 4f1c', ago(200), nowMs - 15 * MS_PER_HOUR, 4 * MS_PER_HOUR)],
    ['worker/9a2e71', steady('payments worker 9a2e', ago(30), ago(12), 4 * MS_PER_HOUR)],
  ]);
}

function flowLogStreams(nowMs: number): Map<string, SeedEvent[]> {
  const ago = (days: number): number => nowMs - days * MS_PER_DAY;
  return new Map([
    ['eni-0a1b2c3d-all', steady('flow eni-0a1b ACCEPT', ago(45), nowMs - 2 * MS_PER_HOUR, 6 * MS_PER_HOUR)],
  ]);
}

function cronStreams(nowMs: number): Map<string, SeedEvent[]> {
  const streams = new Map<string, SeedEvent[]>();
  for (let d = 60; d >= 1; d -= 3) {
    const start = nowMs - d * MS_PER_DAY;
    const day = new Date(start).toISOString().slice(0, 10).replaceAll('-', '/');
    streams.set(
      `${day}/[$LATEST]cron${String(d).padStart(2, '0')}`,
      steady(`nightly cron day-${d}`, start, start + 3 * MS_PER_MINUTE, MS_PER_MINUTE),
    );
  }
  return streams;
}

const GROUPS: readonly (DemoGroup & {
  readonly streams: (nowMs: number, cutoffMs: number) => Map<string, SeedEvent[]>;
})[] = [
  {
    logGroupName: '/aws/lambda/checkout-api',
    about: 'Lambda function: 360 short streams over 60 days',
    logGroupClass: 'STANDARD',
    tagged: true,
    subscriptionFilter: false,
    storedBytes: 4.8 * GB,
    retentionInDays: 90,
    streams: lambdaStreams,
  },
  {
    logGroupName: '/ecs/orders-service',
    about: 'container hosts: one written for a year, retired 19 h ago',
    logGroupClass: 'STANDARD',
    tagged: true,
    subscriptionFilter: false,
    storedBytes: 36 * GB,
    streams: serviceStreams,
  },
  {
    logGroupName: '/ecs/payments',
    about: 'workers, with a subscription filter to a SIEM',
    logGroupClass: 'STANDARD',
    tagged: true,
    subscriptionFilter: true,
    storedBytes: 9 * GB,
    streams: paymentStreams,
  },
  {
    logGroupName: '/vpc/flow-logs',
    about: 'VPC flow logs in the Infrequent Access class',
    logGroupClass: 'INFREQUENT_ACCESS',
    tagged: true,
    subscriptionFilter: false,
    storedBytes: 120 * GB,
    streams: flowLogStreams,
  },
  {
    logGroupName: '/aws/lambda/legacy-cron',
    about: 'nightly cron Lambda; not selected by the tag, so it must stay untouched',
    logGroupClass: 'STANDARD',
    tagged: false,
    subscriptionFilter: false,
    storedBytes: 0.3 * GB,
    streams: cronStreams,
  },
];

/**
 * Seeds the demo account into the sandbox: five groups (a Lambda group, long-lived container
 * hosts with a straddling stream worth rebuilding, a group with a subscription filter, an
 * Infrequent Access group, and an untagged group the selection leaves out).
 *
 * @example const account = seedAccount(sandbox, sandbox.clock.now());
 */
function seedAccount(sandbox: Sandbox, nowMs: number): SeededAccount {
  const cutoffMs = nowMs - DEMO_DAYS * MS_PER_DAY;
  const events = new Map<string, Map<string, SeedEvent[]>>();
  for (const { streams, ...group } of GROUPS) {
    const seeded = streams(nowMs, cutoffMs);
    const earliest = Math.min(...[...seeded.values()].map((e) => e[0]?.timestamp ?? nowMs));
    sandbox.seedGroup(group.logGroupName, {
      creationTimeMs: earliest,
      logGroupClass: group.logGroupClass,
      storedBytes: Math.round(group.storedBytes),
      ...(group.tagged ? { tags: { [DEMO_TAG.key]: DEMO_TAG.value, team: 'shop' } } : {}),
      ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
    });
    for (const [name, streamEvents] of seeded) sandbox.seedStream(group.logGroupName, name, streamEvents);
    if (group.subscriptionFilter) sandbox.seedSubscriptionFilter(group.logGroupName, 'to-siem');
    events.set(group.logGroupName, seeded);
  }
  return { groups: GROUPS.map(({ streams: _s, ...group }) => group), events };
}

export { DEMO_DAYS, DEMO_TAG, seedAccount };
export type { DemoGroup, SeededAccount };
