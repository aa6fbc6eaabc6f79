import { describe, expect, it } from 'vitest';
import { exportSources, selectSources, type EventSource } from '../../../src/archiveTools/sources.js';

const windows = [
  {
    fromMs: 0,
    toMs: 99,
    taskId: 't1',
    destinationPrefix: 'p/exports/~g/0-99',
    objects: [
      { key: 'p/exports/~g/0-99/t1/a/b/000000.gz', size: 10 },
      { key: 'p/exports/~g/0-99/t1/c/000000.gz', size: 5 },
    ],
  },
  {
    fromMs: 100,
    toMs: 199,
    taskId: 't2',
    destinationPrefix: 'p/exports/~g/100-199',
    objects: [{ key: 'p/exports/~g/100-199/t2/a/b/000001.gz', size: 7 }],
  },
];

describe('exportSources', () => {
  it("takes each object's stream from its key (names may contain slashes) and its span from the window", () => {
    expect(exportSources(windows).map((s) => [s.logStreamName, s.fromMs, s.toMs, s.size])).toEqual([
      ['a/b', 0, 99, 10],
      ['c', 0, 99, 5],
      ['a/b', 100, 199, 7],
    ]);
  });
});

describe('selectSources', () => {
  const all: EventSource[] = [
    ...exportSources(windows),
    {
      kind: 'rejected',
      key: 'p/rejected/~g/c/x.json.gz',
      logStreamName: 'c',
      format: 'json-events',
      fromMs: -Infinity,
      toMs: Infinity,
    },
  ];

  it('keeps only the objects whose window can hold the range (end exclusive) and orders them by earliest time', () => {
    expect(selectSources(all, { startMs: 100, endMs: 150 }).map((s) => s.key)).toEqual([
      'p/rejected/~g/c/x.json.gz',
      'p/exports/~g/100-199/t2/a/b/000001.gz',
    ]);
    expect(selectSources(all, { startMs: 0, endMs: 100 }).map((s) => s.key)).toHaveLength(3);
    expect(selectSources(all, { startMs: 200 }).map((s) => s.kind)).toEqual(['rejected']);
  });

  it('filters by exact stream or by stream prefix, and numbers the sources in merge order', () => {
    expect(selectSources(all, { stream: 'a' })).toEqual([]);
    expect(selectSources(all, { streamPrefix: 'a' }).map((s) => [s.key.split('/').at(-1), s.ordinal])).toEqual([
      ['000000.gz', 0],
      ['000001.gz', 1],
    ]);
    expect(selectSources(all, { stream: 'c' }).map((s) => s.kind)).toEqual(['rejected', 'export']);
  });
});
