import { describe, expect, it } from 'vitest';
import { DAMAGED, INCOMPLETE_SAVE, REMOVING, decidePendingRebuild } from '../../../src/trim/pendingRebuilds.js';

describe('decidePendingRebuild', () => {
  it.each([INCOMPLETE_SAVE, REMOVING])('only finishes removing a %s journal, selected or not', (phase) => {
    expect(decidePendingRebuild({ phase }, true)).toEqual({ action: 'remove' });
    expect(decidePendingRebuild({ phase }, false)).toEqual({ action: 'remove' });
  });

  it.each(['saved', 'deleting', 'putting', DAMAGED])('finishes a %s rebuild in a selected group, with no reason to give', (phase) => {
    expect(decidePendingRebuild({ phase }, true)).toEqual({ action: 'finish' });
  });

  it('finishes a rebuild outside the selection whose stream is already deleted, saying why', () => {
    expect(decidePendingRebuild({ phase: 'putting' }, false)).toEqual({ action: 'finish', reason: expect.stringContaining('already been deleted') });
  });

  it('reports a damaged journal whatever the selection', () => {
    expect(decidePendingRebuild({ phase: DAMAGED }, false)).toMatchObject({ action: 'finish' });
  });

  it.each(['saved', 'deleting'])('leaves a %s rebuild outside the selection unless its stream turns out deleted', (phase) => {
    expect(decidePendingRebuild({ phase }, false)).toEqual({
      action: 'leave',
      reason: expect.stringContaining('not selected'),
      ifDeleted: expect.stringContaining('already been deleted'),
    });
  });
});
