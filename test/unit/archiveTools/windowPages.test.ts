import { describe, expect, it } from 'vitest';
import type { ManifestRead } from '../../../src/archiveTools/archiveIndex.js';
import { compareKeys } from '../../../src/archiveTools/keyOrder.js';
import { pagesOf } from '../../../src/archiveTools/windowPages.js';

const DEST = 'p/exports/~g/0-99';
const key = (stream: string, chunk = 0): string => `${DEST}/t1/${stream}/${String(chunk).padStart(6, '0')}.gz`;
const part = (n: number, first: string, last: string, count = 10) => ({
  key: `${DEST}/manifest-parts/${String(n).padStart(5, '0')}.json`,
  first,
  last,
  count,
});
const parted: ManifestRead = {
  logGroupName: '/g',
  fromMs: 0,
  toMs: 99,
  taskId: 't1',
  destinationPrefix: DEST,
  parts: [part(0, key('a'), key('c', 1)), part(1, key('c', 2), key('f')), part(2, key('g'), key('worker-9'))],
};

describe('pagesOf', () => {
  it('gives an inline manifest as one page, and every part of a large one in order', () => {
    const objects = [{ key: key('a'), size: 1 }];
    expect(pagesOf({ ...parted, parts: undefined, objects })).toEqual([{ kind: 'inline', objects, count: 1 }]);
    expect(pagesOf(parted).map((p) => (p.kind === 'part' ? p.key : 'inline'))).toEqual(parted.parts!.map((p) => p.key));
  });

  it("keeps only the parts whose key range can hold the query's stream or prefix, a stream cut between parts in both", () => {
    const keys = (query: { stream?: string; streamPrefix?: string }) =>
      pagesOf(parted, query).map((p) => (p.kind === 'part' ? p.key.slice(-10) : 'inline'));
    expect(keys({ stream: 'c' })).toEqual(['00000.json', '00001.json']);
    expect(keys({ stream: 'b' })).toEqual(['00000.json']);
    expect(keys({ stream: 'h' })).toEqual(['00002.json']);
    expect(keys({ stream: 'zz' })).toEqual([]);
    expect(keys({ streamPrefix: 'worker-' })).toEqual(['00002.json']);
    expect(keys({})).toHaveLength(3);
  });
});

describe('compareKeys (S3 order: UTF-8 bytes, that is code points)', () => {
  it('orders as < does for keys without characters above U+FFFF', () => {
    const keys = ['a/b', 'a-b', 'a', 'a/', 'Z', '\u00e9', '\uffff', 'a/b/c'];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort());
  });

  it('puts a character above U+FFFF after U+E000–U+FFFF, where < puts it before', () => {
    expect(compareKeys('k/\u{1f600}', 'k/\uffff')).toBeGreaterThan(0);
    expect(compareKeys('k/\uffff', 'k/\u{1f600}')).toBeLessThan(0);
    expect('k/\u{1f600}' < 'k/\uffff').toBe(true);
    expect(compareKeys('k/\u{1f600}', 'k/\u{1f601}')).toBeLessThan(0);
    expect(compareKeys('k/\u{1f600}', 'k/a')).toBeGreaterThan(0);
    expect(compareKeys('same', 'same')).toBe(0);
  });
});
