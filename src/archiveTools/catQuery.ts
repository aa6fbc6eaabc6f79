/**
 * The flags of `archive cat` and `archive restore` turned into a query: times, stream selection and
 * the message filter. Pure; bad input is a ConfigError naming the flag and the fix.
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../constants.js';
import { ConfigError } from '../errors.js';
import type { EventQuery } from './sources.js';

const UNITS: Readonly<Record<string, number>> = { m: MS_PER_MINUTE, h: MS_PER_HOUR, d: MS_PER_DAY, w: 7 * MS_PER_DAY };

/**
 * A time flag: ISO-8601 (`2026-10-01`, `2026-10-01T12:00:00Z`; without a zone it is UTC), epoch
 * milliseconds (`1790000000000`), `now`, or an age (`30d`, `12h`, `90m`, `2w`: that long before now).
 *
 * @example parseTime('--start', '30d', Date.now()); // 30 days ago
 */
function parseTime(flag: string, text: string, nowMs: number): number {
  const value = text.trim();
  const age = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(value);
  if (age) return Math.round(nowMs - Number(age[1]) * UNITS[age[2]!]!);
  if (value === 'now') return nowMs;
  if (/^\d{10,}$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) || value.length === 10 ? value : `${value}Z`;
    const ms = Date.parse(zoned);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ConfigError(
    flag,
    `${flag} must be a time, got ${JSON.stringify(text)}. Give an ISO-8601 date or time in UTC ` +
      `(${flag} 2026-10-01 or ${flag} 2026-10-01T12:00:00Z), epoch milliseconds, now, or an age such as 30d, 12h or 90m.`,
  );
}

interface CatFlags {
  readonly start?: string;
  readonly end?: string;
  readonly stream?: string;
  readonly streamPrefix?: string;
  readonly grep?: string;
  readonly regex?: string;
}

interface CatRequest {
  readonly query: EventQuery;
  /** True for the events to print (the time range and stream are already applied). */
  readonly matches?: (message: string) => boolean;
}

/**
 * Validates the flags (every problem at once) and returns the query.
 *
 * @example catRequest({ start: '2026-10-01', end: '2026-11-01', grep: 'ERROR' }, Date.now());
 */
function catRequest(flags: CatFlags, nowMs: number): CatRequest {
  const problems: string[] = [];
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err.message);
      return undefined;
    }
  };
  const startMs = flags.start === undefined ? undefined : attempt(() => parseTime('--start', flags.start!, nowMs));
  const endMs = flags.end === undefined ? undefined : attempt(() => parseTime('--end', flags.end!, nowMs));
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) {
    problems.push(
      `--end must come after --start (the range is start inclusive, end exclusive), got ${new Date(startMs).toISOString()} ` +
        `to ${new Date(endMs).toISOString()}.`,
    );
  }
  if (flags.stream !== undefined && flags.streamPrefix !== undefined) {
    problems.push('--stream and --stream-prefix cannot be combined: give one stream by name, or a name prefix.');
  }
  if (flags.grep !== undefined && flags.regex !== undefined)
    problems.push('--grep and --regex cannot be combined: give one of them.');
  let pattern: RegExp | undefined;
  if (flags.regex !== undefined) {
    pattern = attempt(() => {
      try {
        return new RegExp(flags.regex!, 'u');
      } catch (err) {
        throw new ConfigError(
          '--regex',
          `--regex must be a JavaScript regular expression, got ${JSON.stringify(flags.regex)}: ${(err as Error).message}.`,
        );
      }
    });
  }
  if (problems.length > 0) throw new ConfigError('archive', problems.join('\n'));
  const grep = flags.grep;
  const matches =
    grep !== undefined
      ? (m: string) => m.includes(grep)
      : pattern !== undefined
        ? (m: string) => pattern.test(m)
        : undefined;
  return {
    query: {
      ...(startMs !== undefined && { startMs }),
      ...(endMs !== undefined && { endMs }),
      ...(flags.stream !== undefined && { stream: flags.stream }),
      ...(flags.streamPrefix !== undefined && { streamPrefix: flags.streamPrefix }),
    },
    ...(matches && { matches }),
  };
}

/**
 * Whether one event passes the time range and message filter; the message is asked for only when the
 * filter reads it (most queries never decode a message they do not print).
 *
 * @example const keep = wants(request); keep(event.timestamp, () => event.message);
 */
const wants = (request: CatRequest) => {
  const { startMs, endMs } = request.query;
  const matches = request.matches;
  return (timestamp: number, message: () => string): boolean =>
    (startMs === undefined || timestamp >= startMs) &&
    (endMs === undefined || timestamp < endMs) &&
    (matches === undefined || matches(message()));
};

export { catRequest, parseTime, wants };
export type { CatFlags, CatRequest };
