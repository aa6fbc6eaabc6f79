import { describe, expect, it } from 'vitest';
import {
  addChecks,
  checkStream,
  describeLogStreamsMinimum,
  exportLineKey,
  invocationsLowerBound,
  NO_EVENTS,
} from '../../../bench/drainFigures.js';

const e = (timestamp: number, message = `m${timestamp}`) => ({ timestamp, message });

describe('invocationsLowerBound', () => {
  it('rounds the work over the usable time per invocation up', () => {
    expect(invocationsLowerBound(100, 20.25)).toBe(5);
    expect(invocationsLowerBound(81, 20.25)).toBe(4);
    expect(invocationsLowerBound(81.01, 20.25)).toBe(5);
  });

  it('needs at least one invocation, and refuses a usable time of 0', () => {
    expect(invocationsLowerBound(0, 10)).toBe(1);
    expect(() => invocationsLowerBound(10, 0)).toThrow(RangeError);
  });
});

describe('describeLogStreamsMinimum', () => {
  it('is one page per 50 streams of each group, and one for an empty group', () => {
    expect(describeLogStreamsMinimum([1_000_000])).toBe(20_000);
    expect(describeLogStreamsMinimum([50, 51, 0])).toBe(1 + 2 + 1);
  });
});

describe('checkStream', () => {
  it('finds nothing lost when every event is in CloudWatch or in the archive', () => {
    const seeded = [e(1), e(2), e(3)];
    expect(checkStream(seeded, [e(3)], new Set(['1 m1', '2 m2']))).toEqual({
      checked: 3,
      lost: 0,
      duplicated: 0,
      unexpected: 0,
      archived: 2,
    });
  });

  it('counts an event in neither place as lost', () => {
    expect(checkStream([e(1), e(2)], [e(2)], new Set()).lost).toBe(1);
  });

  it('counts extra copies in CloudWatch as duplicated, an archived copy is not one', () => {
    const check = checkStream([e(1), e(2)], [e(1), e(1), e(1), e(2)], new Set(['2 m2']));
    expect(check.duplicated).toBe(2);
    expect(check.lost).toBe(0);
  });

  it('tells events never seeded apart, and tells messages apart at one timestamp', () => {
    const check = checkStream([e(1, 'a')], [e(1, 'a'), e(1, 'b')], new Set());
    expect(check).toMatchObject({ lost: 0, duplicated: 0, unexpected: 1 });
  });

  it('adds checks up', () => {
    const one = checkStream([e(1)], [], new Set());
    expect(addChecks(addChecks(NO_EVENTS, one), one)).toEqual({
      checked: 2,
      lost: 2,
      duplicated: 0,
      unexpected: 0,
      archived: 0,
    });
  });
});

describe('exportLineKey', () => {
  it('reads an export line as the event key', () => {
    expect(exportLineKey('1970-01-01T00:00:00.005Z hello world')).toBe('5 hello world');
    expect(exportLineKey('garbage')).toBeUndefined();
  });
});
