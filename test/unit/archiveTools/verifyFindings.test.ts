import { describe, expect, it } from 'vitest';
import type { GroupIndex } from '../../../src/archiveTools/archiveIndex.js';
import { checkObjects, newTally, verifyGroup, type ListedObject } from '../../../src/archiveTools/verifyFindings.js';

const DEST = 'p/exports/~g/0-99';
const window = {
  fromMs: 0,
  toMs: 99,
  taskId: 't1',
  destinationPrefix: DEST,
  taskCreatedAtMs: 5,
  objectCount: 2,
  bytes: 30,
};
const objects = [
  { key: `${DEST}/t1/s/000000.gz`, size: 10, etag: '"abc"' },
  { key: `${DEST}/t1/s/000001.gz`, size: 20 },
];
const index = (overrides: Partial<GroupIndex> = {}): GroupIndex => ({
  logGroupName: '/g',
  stateKey: 'p/state/groups/~g.json',
  state: { logGroupName: '/g', archivedThroughMs: 99, windows: [window] },
  windows: [
    {
      window,
      manifestKey: `${DEST}/manifest.json`,
      manifest: {
        logGroupName: '/g',
        fromMs: 0,
        toMs: 99,
        taskId: 't1',
        destinationPrefix: DEST,
        objectCount: 2,
      },
    },
  ],
  ...overrides,
});
const listed = [
  { key: `${DEST}/manifest.json`, size: 100 },
  { key: `${DEST}/aws-logs-write-test`, size: 27 },
  { key: objects[0]!.key, size: 10, etag: '"abc"' },
  { key: objects[1]!.key, size: 20, etag: '"def"' },
];

/** The window's objects checked against the listing as verifyWindows.ts does (page by page there), then the rest judged. */
function verify(i: GroupIndex, listing: readonly ListedObject[]) {
  const tally = newTally();
  if (i.windows.some((w) => w.manifest !== undefined))
    checkObjects(tally, new Map(listing.map((o) => [o.key, o])), objects, 'task t1');
  const matched = new Set(objects.map((o) => o.key));
  return verifyGroup(
    i,
    listing.filter((o) => !matched.has(o.key)),
    [],
    tally,
  );
}

describe('verifyGroup', () => {
  it('passes a whole archive; the write-test marker and the manifest are not unlisted objects', () => {
    const v = verify(index(), listed);
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ windows: 1, objectsChecked: 2, bytesChecked: 30 });
    expect(v.notes).toEqual(['1 objects have no checksum in their manifest: sizes checked only']);
  });

  it('counts the parts of a large manifest as part of the archive, not as unlisted objects', () => {
    const parted = index();
    const partKey = `${DEST}/manifest-parts/00000.json`;
    const withParts = {
      ...parted,
      windows: [{ ...parted.windows[0]!, manifest: { ...parted.windows[0]!.manifest!, partKeys: [partKey] } }],
    };
    const listing = [...listed, { key: partKey, size: 900 }];
    expect(verify(withParts, listing).problems).toEqual([]);
    expect(verify(index(), listing).problems).toEqual([
      expect.objectContaining({ kind: 'unlisted-object', key: partKey }),
    ]);
  });

  it('compares a recorded ETag', () => {
    const changed = listed.map((o) => (o.key === objects[0]!.key ? { ...o, etag: '"zzz"' } : o));
    expect(verify(index(), changed).problems).toEqual([
      expect.objectContaining({ kind: 'checksum-mismatch', key: objects[0]!.key }),
    ]);
  });

  it('does not report the objects of an export still in flight as unlisted', () => {
    const inFlight = { fromMs: 100, toMs: 199, destinationPrefix: 'p/exports/~g/100-199' };
    const v = verify(index({ state: { logGroupName: '/g', archivedThroughMs: 99, windows: [window], inFlight } }), [
      ...listed,
      { key: 'p/exports/~g/100-199/t2/s/000000.gz', size: 1 },
    ]);
    expect(v.problems).toEqual([]);
    expect(v.notes[0]).toMatch(/export is in flight/);
  });

  it('reports an unreadable state', () => {
    const { state: _state, ...noState } = index({ windows: [], stateProblem: 'bad JSON' });
    expect(verify(noState, []).problems).toEqual([expect.objectContaining({ kind: 'state-unreadable' })]);
  });

  it('reports a manifest that disagrees with the state as invalid, and still checks its objects', () => {
    const bad = index();
    const v = verify(
      { ...bad, windows: [{ ...bad.windows[0]!, problem: 'the manifest lists 2 objects, the state says 3' }] },
      listed,
    );
    expect(v.problems.map((p) => p.kind)).toEqual(['manifest-invalid']);
    expect(v.objectsChecked).toBe(2);
  });
});
