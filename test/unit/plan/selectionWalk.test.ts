import { describe, expect, it } from 'vitest';
import { itemIsBehind, resumeAfter, selectionKey, walkItems, walkTakes } from '../../../src/plan/selectionWalk.js';
import type { GroupSelection } from '../../../src/types.js';
import { LOCK_GROUP_NAME } from '../../../src/plan/lockState.js';

const selection = (s: Partial<GroupSelection>): GroupSelection => ({
  names: [],
  prefixes: [],
  excludePrefixes: [],
  ...s,
});

describe('walkItems', () => {
  it('walks every group once for "/" or a tag alone', () => {
    expect(walkItems(selection({ prefixes: ['/', '/aws/'] }))).toEqual([{ kind: 'all' }]);
    expect(walkItems(selection({ tag: { key: 'k', value: 'v' } }))).toEqual([{ kind: 'all' }]);
  });

  it('drops what another prefix covers and sorts the rest, so the walk is in name order', () => {
    expect(walkItems(selection({ prefixes: ['/b/', '/a/', '/a/x/'], names: ['/a/y', '/c', '/0'] }))).toEqual([
      { kind: 'name', name: '/0' },
      { kind: 'prefix', prefix: '/a/' },
      { kind: 'prefix', prefix: '/b/' },
      { kind: 'name', name: '/c' },
    ]);
  });
});

describe('resuming a walk', () => {
  it('skips a listing only when all it can yield sorts at or before the cursor', () => {
    expect(itemIsBehind({ kind: 'prefix', prefix: '/a/' }, '/b')).toBe(true);
    expect(itemIsBehind({ kind: 'prefix', prefix: '/a/' }, '/a/m')).toBe(false);
    expect(itemIsBehind({ kind: 'prefix', prefix: '/b/' }, '/a/z')).toBe(false);
    expect(itemIsBehind({ kind: 'name', name: '/a' }, '/a')).toBe(true);
    expect(itemIsBehind({ kind: 'name', name: '/b' }, '/a')).toBe(false);
    expect(itemIsBehind({ kind: 'all' }, '/zzz')).toBe(false);
  });

  it('takes groups after the cursor only, never an excluded one, and only the exact name of a name item', () => {
    const s = selection({ excludePrefixes: ['/a/tmp'] });
    expect(walkTakes({ kind: 'all' }, s, '/a/m', '/a/m')).toBe(false);
    expect(walkTakes({ kind: 'all' }, s, '/a/n', '/a/m')).toBe(true);
    expect(walkTakes({ kind: 'all' }, s, '/a/tmp1')).toBe(false);
    expect(walkTakes({ kind: 'name', name: '/a' }, s, '/a-2')).toBe(false);
  });

  it("never takes cwl-trim's lock group, even named or under a selected prefix", () => {
    expect(walkTakes({ kind: 'all' }, selection({}), LOCK_GROUP_NAME)).toBe(false);
    expect(walkTakes({ kind: 'prefix', prefix: '/cwl-trim/' }, selection({}), LOCK_GROUP_NAME)).toBe(false);
    expect(walkTakes({ kind: 'name', name: LOCK_GROUP_NAME }, selection({}), LOCK_GROUP_NAME)).toBe(false);
    expect(walkTakes({ kind: 'prefix', prefix: '/cwl-trim/' }, selection({}), '/cwl-trim/locks-2')).toBe(true);
  });

  it('resumes after the longest finished run from the start, never past a group still at work', () => {
    expect(resumeAfter(['a', 'b', 'c'], new Set(['a', 'c']))).toBe('a');
    expect(resumeAfter(['a', 'b', 'c'], new Set(['a', 'b', 'c']))).toBe('c');
    expect(resumeAfter(['a', 'b'], new Set(['b']))).toBeUndefined();
  });

  it('keys a selection by its content, not by the order of its lists', () => {
    expect(selectionKey(selection({ prefixes: ['/a', '/b'] }))).toBe(
      selectionKey(selection({ prefixes: ['/b', '/a'] })),
    );
    expect(selectionKey(selection({ prefixes: ['/a'] }))).not.toBe(selectionKey(selection({ prefixes: ['/b'] })));
  });
});
