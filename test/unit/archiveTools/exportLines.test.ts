import { describe, expect, it } from 'vitest';
import {
  formatEventJson,
  formatEventLine,
  lineTimestamp,
  parseExportText,
} from '../../../src/archiveTools/exportLines.js';

const T = Date.UTC(2026, 9, 1, 12, 0, 0, 7);
const stamp = new Date(T).toISOString();

describe('parseExportText', () => {
  it('reads AWS export lines, in the order they come', () => {
    const text = `${new Date(T + 5).toISOString()} second\n${stamp} first\n`;
    expect(parseExportText(text, 's')).toEqual([
      { timestamp: T + 5, logStreamName: 's', message: 'second' },
      { timestamp: T, logStreamName: 's', message: 'first' },
    ]);
  });

  it('joins continuation lines to the message before (a message with newlines)', () => {
    expect(parseExportText(`${stamp} Traceback:\n  at a()\n\n${stamp} next\n`, 's').map((e) => e.message)).toEqual([
      'Traceback:\n  at a()\n',
      'next',
    ]);
  });

  it('keeps an empty message and a message of spaces', () => {
    expect(parseExportText(`${stamp} \n${stamp}   \n`, 's').map((e) => e.message)).toEqual(['', '  ']);
  });

  it('reads nothing from an empty object', () => {
    expect(parseExportText('', 's')).toEqual([]);
  });
});

describe('lineTimestamp', () => {
  it('takes only a full ISO-8601 UTC millisecond stamp followed by a space', () => {
    expect(lineTimestamp(`${stamp} x`)).toBe(T);
    expect(lineTimestamp(stamp)).toBeUndefined();
    expect(lineTimestamp('2026-10-01T12:00:00Z x')).toBeUndefined();
    expect(lineTimestamp('2026-13-45T99:00:00.000Z x')).toBeUndefined();
    expect(lineTimestamp('  at 2026-10-01T12:00:00.007Z x')).toBeUndefined();
  });
});

describe('output formats', () => {
  it('prints <ISO-8601 UTC ms> <stream> <message>, or a JSON line', () => {
    const e = { timestamp: T, logStreamName: 'a/b', message: 'hello "x"' };
    expect(formatEventLine(e)).toBe(`${stamp} a/b hello "x"`);
    expect(JSON.parse(formatEventJson(e))).toEqual(e);
  });
});
