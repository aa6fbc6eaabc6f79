/**
 * GetLogEvents and FilterLogEvents. GetLogEvents keeps AWS's paging contract: `startTime`
 * inclusive, `endTime` exclusive, ≤ 10,000 events and ≤ 1 MB a page, and at the end the same
 * `nextForwardToken` that was sent comes back (with an empty page): readers must stop on a
 * repeated token, not on an empty page.
 */
import { SANDBOX_GET_MAX_EVENTS, SANDBOX_GET_MAX_PAGE_BYTES, SandboxLogGroupClass } from '../awsFacts.js';
import { invalidParameter } from '../errors.js';
import { compareEvents, eventBytes, requireStream } from '../state.js';
import type { LogEvent, LogGroup, SandboxState } from '../state.js';
import { decodeToken, encodeToken, limitOf, optBool, optNumber, optString, reqString } from './input.js';
import type { Input } from './input.js';
import { targetGroup } from './streams.js';
import { accountMasks } from './accountSettings.js';

/** A position between events: the (timestamp, seq) of the event just before or after it. */
interface Position {
  readonly ts: number;
  readonly seq: number;
}

const START: Position = { ts: 0, seq: 0 };
const END: Position = { ts: Number.MAX_SAFE_INTEGER, seq: 9_999_999_999 };
const TOKEN_PATTERN = /^([fb])\/(\d{16})(\d{10})$/;

const formatToken = (dir: 'f' | 'b', p: Position): string =>
  `${dir}/${String(p.ts).padStart(16, '0')}${String(Math.min(END.seq, Math.max(0, p.seq))).padStart(10, '0')}`;

function parseToken(token: string): { dir: 'f' | 'b'; pos: Position } {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  return { dir: m[1] === 'f' ? 'f' : 'b', pos: { ts: Number(m[2]), seq: Number(m[3]) } };
}

const cmpPos = (e: LogEvent, p: Position): number => e.timestamp - p.ts || e.seq - p.seq;

/** First index in [lo, hi) whose event satisfies `pred` (pred is monotone over the sorted events). */
function lowerBound(events: readonly LogEvent[], pred: (e: LogEvent) => boolean, lo = 0, hi = events.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(events[mid] as LogEvent)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Email addresses and runs of 4+ digits: what a typical data protection policy masks. */
function mask(message: string): string {
  return message.replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '****').replace(/\d{4,}/g, '****');
}

function viewOf(
  state: SandboxState,
  group: LogGroup,
  unmask: boolean,
): (e: LogEvent) => { timestamp: number; message: string; ingestionTime: number } {
  // The group's own policy, or the account's (every group inherits it).
  const masked = (group.dataProtection !== undefined || accountMasks(state)) && !unmask;
  return (e) => ({
    timestamp: e.timestamp,
    message: masked ? mask(e.message) : e.message,
    ingestionTime: e.ingestionTime,
  });
}

/** Takes events from `from` in `step` direction while the page stays within limit and 1 MB. */
function take(events: readonly LogEvent[], from: number, stop: number, step: 1 | -1, limit: number): LogEvent[] {
  const out: LogEvent[] = [];
  let bytes = 0;
  for (let i = from; step === 1 ? i < stop : i >= stop; i += step) {
    const e = events[i] as LogEvent;
    bytes += eventBytes(e.message);
    if (out.length >= limit || (out.length > 0 && bytes > SANDBOX_GET_MAX_PAGE_BYTES)) break;
    out.push(e);
  }
  return step === 1 ? out : out.reverse();
}

/** The tokens that continue from a page: around its events, or in place when it is empty. */
function nextTokens(
  page: readonly LogEvent[],
  token: string | undefined,
  dir: 'f' | 'b',
  pos: Position,
): { forward: string; backward: string } {
  const first = page[0];
  const last = page.at(-1);
  if (first !== undefined && last !== undefined) {
    return {
      forward: formatToken('f', { ts: last.timestamp, seq: last.seq }),
      backward: formatToken('b', { ts: first.timestamp, seq: first.seq }),
    };
  }
  // Nothing in range yet: a forward reader polling from here must see what arrives later.
  if (token === undefined) return { forward: formatToken('f', START), backward: formatToken('b', END) };
  // The end: AWS sends back the very token it was given.
  if (dir === 'f') return { forward: token, backward: formatToken('b', { ts: pos.ts, seq: pos.seq + 1 }) };
  return { forward: formatToken('f', { ts: pos.ts, seq: pos.seq - 1 }), backward: token };
}

function getLogEvents(state: SandboxState, input: Input): object {
  const group = targetGroup(state, input);
  if (group.logGroupClass === SandboxLogGroupClass.InfrequentAccess) {
    throw invalidParameter('GetLogEvents is not supported for log groups in the INFREQUENT_ACCESS log group class.');
  }
  const stream = requireStream(group, reqString(input, 'logStreamName'));
  const limit = limitOf(input, SANDBOX_GET_MAX_EVENTS);
  const token = optString(input, 'nextToken');
  // Without a token, startFromHead picks the end to read from (AWS defaults to the newest events).
  const start: { dir: 'f' | 'b'; pos: Position } = optBool(input, 'startFromHead')
    ? { dir: 'f', pos: START }
    : { dir: 'b', pos: END };
  const { dir, pos } = token !== undefined ? parseToken(token) : start;

  const events = stream.events;
  const startTime = optNumber(input, 'startTime');
  const endTime = optNumber(input, 'endTime');
  const lo = startTime === undefined ? 0 : lowerBound(events, (e) => e.timestamp >= startTime);
  const hi = endTime === undefined ? events.length : lowerBound(events, (e) => e.timestamp >= endTime, lo);

  const page =
    dir === 'f'
      ? take(
          events,
          Math.max(
            lo,
            lowerBound(events, (e) => cmpPos(e, pos) > 0, lo, hi),
          ),
          hi,
          1,
          limit,
        )
      : take(
          events,
          Math.min(
            hi,
            lowerBound(events, (e) => cmpPos(e, pos) >= 0, lo, hi),
          ) - 1,
          lo,
          -1,
          limit,
        );
  const { forward, backward } = nextTokens(page, token, dir, pos);
  return {
    events: page.map(viewOf(state, group, optBool(input, 'unmask') ?? false)),
    nextForwardToken: forward,
    nextBackwardToken: backward,
  };
}

type FilterKey = [number, string, number];
const filterKeyOf = (e: { timestamp: number; stream: string; seq: number }): FilterKey => [
  e.timestamp,
  e.stream,
  e.seq,
];
const cmpFilterKey = (a: FilterKey, b: FilterKey): number =>
  a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];

function filterLogEvents(state: SandboxState, input: Input): object {
  const group = targetGroup(state, input);
  const names = input['logStreamNames'];
  const prefix = optString(input, 'logStreamNamePrefix');
  if (Array.isArray(names) && prefix !== undefined) {
    throw invalidParameter('You cannot specify both logStreamNames and logStreamNamePrefix.');
  }
  const streams = Array.isArray(names)
    ? names.map((n) => requireStream(group, String(n)))
    : [...group.streams.values()].filter((s) => prefix === undefined || s.name.startsWith(prefix));
  const startTime = optNumber(input, 'startTime') ?? 0;
  const endTime = optNumber(input, 'endTime') ?? Number.MAX_SAFE_INTEGER;
  // Only plain-text patterns: a quoted or bare term must appear in the message.
  const needle = (optString(input, 'filterPattern') ?? '').trim().replace(/^"(.*)"$/, '$1');
  const all = streams
    .flatMap((s) => s.events.map((e) => ({ ...e, stream: s.name })))
    .filter((e) => e.timestamp >= startTime && e.timestamp <= endTime && e.message.includes(needle))
    .sort((a, b) => cmpFilterKey(filterKeyOf(a), filterKeyOf(b)) || compareEvents(a, b));
  const token = optString(input, 'nextToken');
  let from = 0;
  if (token !== undefined) {
    const key = decodeToken(token) as FilterKey;
    if (!Array.isArray(key) || key.length !== 3) throw invalidParameter('The specified nextToken is invalid.');
    from = all.findIndex((e) => cmpFilterKey(filterKeyOf(e), key) > 0);
    if (from < 0) from = all.length;
  }
  const page = take(all, from, all.length, 1, limitOf(input, SANDBOX_GET_MAX_EVENTS)) as typeof all;
  const view = viewOf(state, group, optBool(input, 'unmask') ?? false);
  const last = page.at(-1);
  return {
    events: page.map((e) => ({
      logStreamName: e.stream,
      ...view(e),
      eventId: `${e.timestamp}${String(e.seq).padStart(10, '0')}`,
    })),
    ...(last !== undefined && from + page.length < all.length && { nextToken: encodeToken(filterKeyOf(last)) }),
  };
}

export { filterLogEvents, getLogEvents, mask };
