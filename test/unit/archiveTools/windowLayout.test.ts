import { describe, expect, it } from 'vitest';
import { windowFindings } from '../../../src/archiveTools/windowLayout.js';

describe('windowFindings', () => {
  it('finds nothing when windows tile time up to the watermark, in any order', () => {
    expect(
      windowFindings(
        [
          { fromMs: 100, toMs: 199 },
          { fromMs: 0, toMs: 99 },
        ],
        199,
      ),
    ).toEqual([]);
    expect(windowFindings([], undefined)).toEqual([]);
  });

  it('finds a gap: a range between two windows no window covers', () => {
    expect(
      windowFindings(
        [
          { fromMs: 0, toMs: 99 },
          { fromMs: 150, toMs: 199 },
        ],
        199,
      ),
    ).toEqual([expect.objectContaining({ kind: 'gap', fromMs: 100, toMs: 149 })]);
  });

  it('finds an overlap: a range two windows both cover', () => {
    expect(
      windowFindings(
        [
          { fromMs: 0, toMs: 99 },
          { fromMs: 90, toMs: 199 },
        ],
        199,
      ),
    ).toEqual([expect.objectContaining({ kind: 'overlap', fromMs: 90, toMs: 99 })]);
  });

  it('finds a watermark ahead of the windows (events claimed archived that no window holds) and one behind them', () => {
    expect(windowFindings([{ fromMs: 0, toMs: 99 }], 150)).toEqual([
      expect.objectContaining({ kind: 'watermark-ahead', fromMs: 100, toMs: 150 }),
    ]);
    expect(windowFindings([], 150)).toEqual([expect.objectContaining({ kind: 'watermark-ahead' })]);
    expect(windowFindings([{ fromMs: 0, toMs: 99 }], 50)).toEqual([
      expect.objectContaining({ kind: 'watermark-behind' }),
    ]);
    expect(windowFindings([{ fromMs: 0, toMs: 99 }], undefined)).toEqual([
      expect.objectContaining({ kind: 'watermark-behind' }),
    ]);
  });

  it('finds an inverted window', () => {
    expect(windowFindings([{ fromMs: 10, toMs: 5 }], undefined).map((f) => f.kind)).toEqual(['inverted']);
  });
});
