import { describe, expect, it } from 'vitest';
import { catRequest, parseTime, wants } from '../../../src/archiveTools/catQuery.js';
import { ConfigError } from '../../../src/errors.js';

const NOW = Date.UTC(2026, 10, 21, 12);

describe('parseTime', () => {
  it('reads ISO-8601 dates and times (UTC without a zone), epoch ms, now and ages', () => {
    expect(parseTime('--start', '2026-10-01', NOW)).toBe(Date.UTC(2026, 9, 1));
    expect(parseTime('--start', '2026-10-01T12:30:00', NOW)).toBe(Date.UTC(2026, 9, 1, 12, 30));
    expect(parseTime('--start', '2026-10-01T12:30:00+02:00', NOW)).toBe(Date.UTC(2026, 9, 1, 10, 30));
    expect(parseTime('--start', '1790000000000', NOW)).toBe(1_790_000_000_000);
    expect(parseTime('--end', 'now', NOW)).toBe(NOW);
    expect(parseTime('--start', '30d', NOW)).toBe(NOW - 30 * 86_400_000);
    expect(parseTime('--start', '12h', NOW)).toBe(NOW - 12 * 3_600_000);
    expect(parseTime('--start', '2w', NOW)).toBe(NOW - 14 * 86_400_000);
  });

  it('refuses anything else, naming the flag and the forms it takes', () => {
    expect(() => parseTime('--end', 'last tuesday', NOW)).toThrow(/--end must be a time, got "last tuesday".*ISO-8601/);
    expect(() => parseTime('--end', '2026-02-31T99:00', NOW)).toThrow(ConfigError);
  });
});

describe('catRequest', () => {
  it('builds the query and the message filter', () => {
    const r = catRequest({ start: '2026-10-01', end: '2026-11-01', stream: 's', grep: 'ERROR' }, NOW);
    expect(r.query).toEqual({ startMs: Date.UTC(2026, 9, 1), endMs: Date.UTC(2026, 10, 1), stream: 's' });
    const keep = wants(r);
    expect(keep(Date.UTC(2026, 9, 1), () => 'an ERROR')).toBe(true);
    expect(keep(Date.UTC(2026, 10, 1), () => 'an ERROR')).toBe(false);
    expect(keep(Date.UTC(2026, 9, 2), () => 'fine')).toBe(false);
    // Without a message filter the message is never decoded.
    expect(
      wants(catRequest({ start: '2026-10-01' }, NOW))(Date.UTC(2026, 9, 2), () => {
        throw new Error('decoded');
      }),
    ).toBe(true);
    expect(catRequest({ regex: '^a.c$' }, NOW).matches?.('abc')).toBe(true);
  });

  it('reports every bad flag at once', () => {
    let message = '';
    try {
      catRequest(
        { start: '2026-11-01', end: '2026-10-01', stream: 'a', streamPrefix: 'b', grep: 'x', regex: '(' },
        NOW,
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^--end must come after --start/),
      expect.stringMatching(/^--stream and --stream-prefix cannot be combined/),
      expect.stringMatching(/^--grep and --regex cannot be combined/),
      expect.stringMatching(/^--regex must be a JavaScript regular expression/),
    ]);
  });
});
