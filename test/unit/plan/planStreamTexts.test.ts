/**
 * What the plan says of each stream, word for word: the detail a dry run prints is what the operator
 * acts on, and the same words are in the JSON report.
 */
import { describe, expect, it } from 'vitest';
import { planStream, type StreamContext } from '../../../src/plan/planStream.js';
import type { StreamInfo } from '../../../src/types.js';
import { configFactory, groupFactory } from '../../helpers/factories.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 21, 12);
const CUTOFF = NOW - 7 * DAY;

function ctx(overrides: Partial<StreamContext> = {}, settings: Partial<StreamContext['settings']> = {}): StreamContext {
  return {
    nowMs: NOW,
    cutoffMs: CUTOFF,
    settings: { ...configFactory({ days: 7, forceRebuild: true, quietMinutes: 180 }), ...settings },
    group: groupFactory({ creationTimeMs: NOW - 90 * DAY }),
    windows: [],
    plannedExports: [],
    archivedThroughAfterMs: CUTOFF - 1,
    storedBytes: 1024 ** 3,
    ...overrides,
  };
}

const stream = (first: number, last: number, lastIngestion = last): StreamInfo => ({
  logStreamName: 's',
  creationTimeMs: first,
  firstEventTimestampMs: first,
  lastEventTimestampMs: last,
  lastIngestionTimeMs: lastIngestion,
});
const said = (s: StreamInfo, c: StreamContext) => {
  const p = planStream(s, c);
  return { action: p.action, reason: p.reason, detail: p.detail };
};

describe("each stream's detail", () => {
  it('current, expired and straddling streams', () => {
    expect(said(stream(CUTOFF, NOW - 5 * HOUR), ctx())).toEqual({
      action: 'keep',
      reason: 'current',
      detail: 'every event is newer than the cutoff',
    });
    expect(said(stream(NOW - 30 * DAY, NOW - 20 * DAY), ctx())).toEqual({
      action: 'delete',
      reason: 'expired',
      detail: 'every event is archived',
    });
    expect(said(stream(NOW - 30 * DAY, NOW - 20 * HOUR), ctx())).toEqual({
      action: 'rebuild',
      reason: 'straddling',
      detail: 'events before the cutoff are archived',
    });
  });

  it('a stream whose events before the cutoff are not archived yet', () => {
    expect(said(stream(NOW - 30 * DAY, NOW - 20 * DAY), ctx({ archivedThroughAfterMs: NOW - 25 * DAY }))).toEqual({
      action: 'skip',
      reason: 'not-archived',
      detail: 'its events before the cutoff are not archived yet',
    });
  });

  it('a stream written within the quiet period: how long ago, and how long it waits', () => {
    expect(said(stream(NOW - 30 * DAY, NOW - 20 * HOUR, NOW - 42 * MIN), ctx())).toEqual({
      action: 'skip',
      reason: 'active',
      detail: 'written 42 min ago; waits for 180 quiet minutes',
    });
  });

  it('a rebuild not worth it: the horizon it is judged over, and the setting that overrides', () => {
    const pricey = configFactory().prices;
    const c = ctx({}, { forceRebuild: false, prices: { ...pricey, ingestionPerGb: 1_000 } });
    expect(said(stream(NOW - 30 * DAY, NOW - 20 * HOUR), c)).toEqual({
      action: 'skip',
      reason: 'not-worth-it',
      detail: `re-putting the events to keep costs more than the storage it saves within ${pricey.paybackHorizonMonths} months (see the estimate); FORCE_REBUILD=true overrides`,
    });
  });
});
