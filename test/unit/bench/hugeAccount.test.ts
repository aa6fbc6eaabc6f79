import { describe, expect, it } from 'vitest';
import { hugeStreams, summarize } from '../../../bench/hugeAccount.js';
import { MS_PER_DAY } from '../../../src/constants.js';

const spec = {
  groups: 3,
  streamsPerGroup: 400,
  expiredShare: 0.9,
  straddlingPerGroup: 2,
  straddlingKeptEvents: 10,
  eventsPerStream: 3,
  groupPrefix: '/aws/lambda/t-',
};
const NOW = Date.parse('2026-11-20T00:00:00.000Z');

describe('hugeAccount', () => {
  it('generates the same account twice, with unique stream names', () => {
    const a = [...hugeStreams(spec, NOW)];
    const b = [...hugeStreams(spec, NOW)];
    expect(b).toEqual(a);
    expect(new Set(a.map((s) => `${s.group} ${s.name}`)).size).toBe(1200);
  });

  it('counts what it generates: kinds, pages, kept events', () => {
    const s = summarize(spec, NOW);
    expect(s.streams).toBe(1200);
    expect(s.straddling).toBe(6);
    expect(s.expired + s.current + s.straddling).toBe(1200);
    expect(s.expired / (s.expired + s.current)).toBeGreaterThan(0.85);
    expect(s.keptEvents).toBe(60);
    expect(s.streamPages).toBe(3 * 8);
  });

  it('keeps every time range clear of the cutoff (DAYS = 7)', () => {
    const cutoff = NOW - 7 * MS_PER_DAY;
    for (const s of hugeStreams(spec, NOW)) {
      const last = s.events.at(-1)!.timestamp;
      if (s.kind === 'expired') expect(last).toBeLessThan(cutoff - MS_PER_DAY / 2);
      if (s.kind === 'current') expect(s.events[0]!.timestamp).toBeGreaterThan(cutoff + MS_PER_DAY);
      if (s.kind === 'straddling') expect(s.events.filter((e) => e.timestamp >= cutoff)).toHaveLength(s.keptEvents);
    }
  });
});
