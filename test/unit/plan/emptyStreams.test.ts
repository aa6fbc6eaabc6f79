import { describe, expect, it } from 'vitest';
import { MS_PER_MINUTE } from '../../../src/constants.js';
import { planGroup } from '../../../src/plan/planRun.js';
import type { StreamInfo } from '../../../src/types.js';
import { NOW, configFactory, daysAgo, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const plan = (streams: StreamInfo[], strategy: 'rebuild' | 'retention') =>
  planGroup({ group: groupFactory(), streams, state: stateFactory() }, configFactory({ strategy, days: 10 }), NOW);
const of = (p: ReturnType<typeof plan>, name: string) => p.streams.find((s) => s.logStreamName === name);

describe('empty streams, in both strategies', () => {
  it.each(['rebuild', 'retention'] as const)(
    '%s: deletes an empty stream created before the cutoff and idle',
    (strategy) => {
      const p = plan(
        [{ logStreamName: 'old-empty', creationTimeMs: daysAgo(30) }, streamFactory('s', 30, 20)],
        strategy,
      );
      expect(of(p, 'old-empty')).toMatchObject({ action: 'delete', reason: 'empty-old' });
    },
  );

  it.each(['rebuild', 'retention'] as const)(
    '%s: keeps an empty stream created before the cutoff but written to recently (idle guard)',
    (strategy) => {
      const p = plan(
        [{ logStreamName: 'busy', creationTimeMs: daysAgo(30), lastIngestionTimeMs: NOW - 5 * MS_PER_MINUTE }],
        strategy,
      );
      expect(of(p, 'busy')).toMatchObject({ action: 'keep', reason: 'empty-recent' });
    },
  );

  it('retention: keeps an empty stream created after the cutoff', () => {
    const p = plan([{ logStreamName: 'new', creationTimeMs: daysAgo(2) }], 'retention');
    expect(of(p, 'new')?.action).toBe('keep');
  });
});
