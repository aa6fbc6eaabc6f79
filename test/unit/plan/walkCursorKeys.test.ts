/**
 * The keys a saved walk is resumed by: the fleet cursor is resumed only by a run whose selection key
 * equals the one saved with it (src/archive/cursors.ts, loadFleetCursor), and a listing starts at the
 * saved page only when its walk item key equals the saved one (src/aws/inventory.ts, selectedGroups).
 */
import { describe, expect, it } from 'vitest';
import { selectionKey, walkItemKey, walkItems, type WalkItem } from '../../../src/plan/selectionWalk.js';
import type { GroupSelection } from '../../../src/types.js';

const selection = (s: Partial<GroupSelection>): GroupSelection => ({
  names: [],
  prefixes: [],
  excludePrefixes: [],
  ...s,
});

describe('the selection key of a saved walk', () => {
  const base = selection({
    names: ['/app/b', '/app/a'],
    prefixes: ['/svc/', '/aws/'],
    excludePrefixes: ['/svc/tmp', '/aws/old'],
    tag: { key: 'team', value: 'x' },
  });

  it('is the same for the same selection written in another order, so a reordered setting still resumes', () => {
    expect(
      selectionKey(
        selection({
          names: ['/app/a', '/app/b'],
          prefixes: ['/aws/', '/svc/'],
          excludePrefixes: ['/aws/old', '/svc/tmp'],
          tag: { key: 'team', value: 'x' },
        }),
      ),
    ).toBe(selectionKey(base));
  });

  it('differs when the names, the prefixes, the exclusions or the tag differ: another selection starts its own walk', () => {
    const others: GroupSelection[] = [
      { ...base, names: ['/app/a', '/app/c'] },
      { ...base, names: [] },
      { ...base, prefixes: ['/aws/'] },
      { ...base, excludePrefixes: ['/svc/tmp'] },
      { ...base, excludePrefixes: [] },
      { ...base, tag: { key: 'team', value: 'y' } },
      { ...base, tag: { key: 'owner', value: 'x' } },
      selection({ names: base.names, prefixes: base.prefixes, excludePrefixes: base.excludePrefixes }),
    ];
    const keys = new Set([base, ...others].map(selectionKey));
    expect(keys.size).toBe(others.length + 1);
  });
});

describe('the key of a listing, saved with its page token', () => {
  it('differs for every listing of a walk, and between a prefix and a name of the same text', () => {
    const items: WalkItem[] = [
      { kind: 'all' },
      ...walkItems(selection({ prefixes: ['/a/', '/b/'], names: ['/c', '/d'] })),
      { kind: 'name', name: '/a/' },
      { kind: 'prefix', prefix: '/c' },
    ];
    expect(new Set(items.map(walkItemKey)).size).toBe(items.length);
  });

  it('keeps the text cursors are saved with, so a cursor an earlier run saved still resumes from its page', () => {
    expect(walkItemKey({ kind: 'all' })).toBe('all');
    expect(walkItemKey({ kind: 'prefix', prefix: '/app/' })).toBe('prefix:/app/');
    expect(walkItemKey({ kind: 'name', name: '/app/a' })).toBe('name:/app/a');
  });
});
