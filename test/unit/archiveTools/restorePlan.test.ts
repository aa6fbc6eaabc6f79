import { describe, expect, it } from 'vitest';
import { notYetPut, oldestRestorableMs, refusal } from '../../../src/archiveTools/restorePlan.js';

const NOW = Date.UTC(2026, 10, 21, 12);
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('oldestRestorableMs', () => {
  it('is 14 days back, or the target retention when shorter, with an hour to spare', () => {
    expect(oldestRestorableMs(NOW)).toBe(NOW - 14 * DAY + HOUR);
    expect(oldestRestorableMs(NOW, 30)).toBe(NOW - 14 * DAY + HOUR);
    expect(oldestRestorableMs(NOW, 7)).toBe(NOW - 7 * DAY + HOUR);
  });
});

describe('refusal', () => {
  const base = { sourceGroup: '/app', startMs: NOW - 20 * DAY, endMs: NOW - DAY, oldestMs: NOW - 14 * DAY + HOUR };

  it('lets a range through when none of its archived events is too old', () => {
    expect(refusal({ ...base, tooOld: 0 })).toBeUndefined();
  });

  it('refuses with the count and the archive cat command that reads those events', () => {
    const text = refusal({ ...base, tooOld: 3, stream: 'w-1' })!;
    expect(text).toMatch(/^refused: 3 archived events are older than 2026-11-07T13:00:00.000Z/);
    expect(text).toContain(
      "cwl-trim archive cat --log-group '/app' --stream 'w-1' --start 2026-11-01T12:00:00.000Z --end 2026-11-07T13:00:00.000Z",
    );
    expect(text).toMatch(/or restore only from 2026-11-07T13:00:00.000Z on/);
    expect(refusal({ ...base, tooOld: 1 })).toMatch(/^refused: 1 archived event is older/);
    // A range wholly too old has no part to restore: no such hint.
    expect(refusal({ ...base, endMs: base.oldestMs - 1, tooOld: 2 })).not.toMatch(/restore only from/);
  });
});

describe('notYetPut', () => {
  const e = (timestamp: number, message: string) => ({ timestamp, message });

  it('drops the events the target already holds, counting duplicates one by one', () => {
    const batch = [e(1, 'a'), e(1, 'a'), e(2, 'b'), e(3, 'c')];
    expect(notYetPut(batch, [e(1, 'a'), e(2, 'b')], [])).toEqual([e(1, 'a'), e(3, 'c')]);
    expect(notYetPut(batch, batch, [])).toEqual([]);
    expect(notYetPut(batch, [], [])).toEqual(batch);
  });

  it("does not take events put before the batch, in the same millisecond, for the batch's own", () => {
    // The earlier batch ended with (1, a); the uncertain batch starts with an identical event that did not land.
    expect(notYetPut([e(1, 'a'), e(2, 'b')], [e(1, 'a')], [e(1, 'a')])).toEqual([e(1, 'a'), e(2, 'b')]);
  });
});
