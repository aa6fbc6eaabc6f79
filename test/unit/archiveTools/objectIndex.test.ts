import { describe, expect, it } from 'vitest';
import { parseExportText } from '../../../src/archiveTools/exportLines.js';
import { compactCopy, indexExportBytes, keptInOrder } from '../../../src/archiveTools/objectIndex.js';

const stamp = (ms: number): string => new Date(ms).toISOString();
const T = Date.UTC(2026, 9, 1);
const TEXT = `${stamp(T + 2)} b\n${stamp(T)} a1\n  continued\n${stamp(T + 2)} c é\n${stamp(T)} a2\n${stamp(T + 1)} \n`;

describe('indexExportBytes', () => {
  it('finds the same events as the text parser, continuation lines and UTF-8 included', () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    const index = indexExportBytes(bytes);
    const found = Array.from({ length: index.count }, (_, i) => ({
      timestamp: index.ts[i]!,
      message: bytes.toString('utf8', index.start[i]!, index.end[i]!),
    }));
    expect(found).toEqual(parseExportText(TEXT, 's').map(({ timestamp, message }) => ({ timestamp, message })));
    expect(found.map((e) => e.message)).toEqual(['b', 'a1\n  continued', 'c é', 'a2', '']);
  });

  it('grows past its first 4,096 events', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `${stamp(T + i)} m${i}\n`).join('');
    expect(indexExportBytes(Buffer.from(text)).count).toBe(5000);
  });
});

describe('keptInOrder and compactCopy', () => {
  it("keeps the wanted events sorted by timestamp, equal timestamps in the object's order, copied out compactly", () => {
    const bytes = Buffer.from(TEXT, 'utf8');
    const index = indexExportBytes(bytes);
    const order = keptInOrder(
      index,
      (ts, message) => ts >= T && !message().startsWith('b'),
      (i) => bytes.toString('utf8', index.start[i]!, index.end[i]!),
    );
    const events = compactCopy(bytes, index, order);
    bytes.fill(0); // the caller reuses its buffer: the copy must not depend on it
    expect(Array.from({ length: events.count }, (_, k) => events.at(k, 's'))).toEqual([
      { timestamp: T, logStreamName: 's', message: 'a1\n  continued' },
      { timestamp: T, logStreamName: 's', message: 'a2' },
      { timestamp: T + 1, logStreamName: 's', message: '' },
      { timestamp: T + 2, logStreamName: 's', message: 'c é' },
    ]);
  });
});
