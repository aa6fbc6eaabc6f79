/**
 * DescribeLogStreams' event times are eventually consistent: a stream can be listed with its first
 * event time and not yet its last (or the other way round). It has events, of unknown span: it is
 * never planned as an empty stream (whose delete needs no archive), only left for a later run.
 */
import { describe, expect, it } from 'vitest';
import { planGroup } from '../../../src/plan/planRun.js';
import type { StreamInfo } from '../../../src/types.js';
import { NOW, configFactory, daysAgo, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const plan = (streams: StreamInfo[], strategy: 'rebuild' | 'retention') =>
  planGroup({ group: groupFactory(), streams, state: stateFactory() }, configFactory({ strategy, days: 10 }), NOW);

/** Written from 30 to 5 days ago, listed without one of its event times. */
function without(key: 'firstEventTimestampMs' | 'lastEventTimestampMs', name: string): StreamInfo {
  const { [key]: _, ...rest } = streamFactory(name, 30, 5);
  return rest;
}

describe('a stream listed with only one of its event times', () => {
  it.each(['rebuild', 'retention'] as const)('%s: is skipped for a later run, never deleted as empty', (strategy) => {
    const p = plan(
      [without('lastEventTimestampMs', 'no-last'), without('firstEventTimestampMs', 'no-first')],
      strategy,
    );
    for (const name of ['no-last', 'no-first']) {
      expect(p.streams.find((s) => s.logStreamName === name)).toMatchObject({
        action: 'skip',
        reason: 'metadata-pending',
        detail: 'CloudWatch reports only one of its first and last event times; left for a later run',
      });
    }
    expect(p.totals.delete).toBe(0);
  });

  it('a stream with neither is empty, as before: deleted once created before the cutoff and idle', () => {
    const { firstEventTimestampMs: _f, lastEventTimestampMs: _l, ...empty } = streamFactory('empty', 30, 20);
    const p = plan([empty], 'rebuild');
    expect(p.streams[0]).toMatchObject({ action: 'delete', reason: 'empty-old' });
    expect(daysAgo(30)).toBe(empty.creationTimeMs);
  });
});
