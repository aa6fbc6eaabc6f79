import { describe, expect, it } from 'vitest';
import {
  DAMAGED,
  INCOMPLETE_SAVE,
  REMOVING,
  decidePendingRebuild,
  selectsGroup,
} from '../../../src/trim/pendingRebuilds.js';

describe('decidePendingRebuild', () => {
  it.each([INCOMPLETE_SAVE, REMOVING])('only finishes removing a %s journal, selected or not', (phase) => {
    expect(decidePendingRebuild({ phase }, true)).toEqual({ action: 'remove' });
    expect(decidePendingRebuild({ phase }, false)).toEqual({ action: 'remove' });
  });

  it.each(['saved', 'deleting', 'putting', DAMAGED])(
    'finishes a %s rebuild in a selected group, with no reason to give',
    (phase) => {
      expect(decidePendingRebuild({ phase }, true)).toEqual({ action: 'finish' });
    },
  );

  it('finishes a rebuild outside the selection whose stream is already deleted, saying why', () => {
    expect(decidePendingRebuild({ phase: 'putting' }, false)).toEqual({
      action: 'finish',
      reason: expect.stringContaining('already been deleted'),
    });
  });

  it('reports a damaged journal whatever the selection', () => {
    expect(decidePendingRebuild({ phase: DAMAGED }, false)).toMatchObject({ action: 'finish' });
  });

  it.each(['saved', 'deleting'])(
    'leaves a %s rebuild outside the selection unless its stream turns out deleted',
    (phase) => {
      expect(decidePendingRebuild({ phase }, false)).toEqual({
        action: 'leave',
        reason: expect.stringContaining('not selected'),
        ifDeleted: expect.stringContaining('already been deleted'),
      });
    },
  );
});

describe('selectsGroup', () => {
  const selection = { names: ['/other/one'], prefixes: ['/app/'], excludePrefixes: ['/app/tmp'] };
  it.each([
    ['/app/orders', true],
    ['/other/one', true],
    ['/other/two', false],
    ['/app/tmp-1', false],
  ])('%s → %s', (name, expected) => {
    expect(selectsGroup(selection, name)).toBe(expected);
  });

  it('takes every group with `/` or with no name and no prefix, minus the excluded', () => {
    expect(selectsGroup({ names: [], prefixes: ['/'], excludePrefixes: [] }, 'x')).toBe(true);
    expect(selectsGroup({ names: [], prefixes: [], excludePrefixes: ['x'] }, 'x')).toBe(false);
  });

  it('takes only what is named when names or prefixes are given: names alone, prefixes alone, every prefix tried', () => {
    expect(selectsGroup({ names: ['/a'], prefixes: [], excludePrefixes: [] }, '/b')).toBe(false);
    expect(selectsGroup({ names: [], prefixes: ['/a/'], excludePrefixes: [] }, '/b')).toBe(false);
    expect(selectsGroup({ names: ['/x'], prefixes: ['/a/', '/b/'], excludePrefixes: [] }, '/b/c')).toBe(true);
    expect(selectsGroup({ names: ['/x'], prefixes: ['/a/'], excludePrefixes: [] }, '/b/c')).toBe(false);
  });

  it('needs the tags to take a group by tag', () => {
    const byTag = { names: [], prefixes: [], excludePrefixes: [], tag: { key: 'trim', value: 'yes' } };
    expect(selectsGroup(byTag, '/app/orders')).toBe(false);
    expect(selectsGroup(byTag, '/app/orders', { trim: 'yes' })).toBe(true);
    expect(selectsGroup(byTag, '/app/orders', { trim: 'no' })).toBe(false);
  });
});
