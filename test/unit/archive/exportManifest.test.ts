import { describe, expect, it } from 'vitest';
import { createCallStats } from '../../../src/aws/callAws.js';
import { createLimiters } from '../../../src/aws/limiters.js';
import {
  ArchiveIndex,
  PART_OBJECTS,
  manifestObjects,
  partsOverlapping,
  writeExportManifest,
  type ExportManifest,
} from '../../../src/archive/exportManifest.js';
import type { Deps } from '../../../src/deps.js';
import { DeadlineReachedError } from '../../../src/errors.js';

const BUCKET = 'archive';
const DEST = 'cwl-archive/exports/~app/0-99';
const TASK = 'task-1';

/** An in-memory S3 with ListObjectsV2 pages of 1,000 keys in key order, PutObject and GetObject. */
function fakeS3(keys: readonly string[]) {
  const store = new Map<string, Buffer>(keys.map((k) => [k, Buffer.from('x'.repeat(10))]));
  let gets = 0;
  let lists = 0;
  const send = async (command: { constructor: { name: string }; input: Record<string, string> }) => {
    const { input } = command;
    switch (command.constructor.name) {
      case 'ListObjectsV2Command': {
        lists += 1;
        const all = [...store.keys()]
          .filter((k) => k.startsWith(input.Prefix!) && (input.StartAfter === undefined || k > input.StartAfter))
          .sort();
        const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
        const page = all.slice(start, start + 1_000);
        const more = start + 1_000 < all.length;
        return {
          Contents: page.map((Key) => ({ Key, Size: store.get(Key)!.length })),
          IsTruncated: more,
          ...(more ? { NextContinuationToken: String(start + 1_000) } : {}),
        };
      }
      case 'PutObjectCommand':
        store.set(input.Key!, Buffer.from(command.input.Body as unknown as Buffer));
        return { ETag: '"e"' };
      case 'DeleteObjectCommand':
        store.delete(input.Key!);
        return {};
      case 'GetObjectCommand': {
        gets += 1;
        const body = store.get(input.Key!);
        if (!body) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
        return { Body: { transformToByteArray: async () => new Uint8Array(body) }, ETag: '"e"' };
      }
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  const deps = {
    clients: { s3: { send } },
    call: { limiters: createLimiters({ quotaShare: 1 }), stats: createCallStats() },
    clock: { now: () => 1_000 },
  } as unknown as Deps;
  return { deps, store, gets: () => gets, lists: () => lists };
}

const streamName = (i: number): string => `2026/10/01/[$LATEST]${String(i).padStart(6, '0')}`;
const objectKey = (stream: string): string => `${DEST}/${TASK}/${stream}/000000.gz`;
const inFlight = { fromMs: 0, toMs: 99, destinationPrefix: DEST, taskId: TASK, intentAtMs: 5, taskCreatedAtMs: 7 };

describe('export manifests', () => {
  it('lists a small export inline, without the write-test marker', async () => {
    const { deps, store } = fakeS3([
      objectKey('a'),
      objectKey('b/c'),
      `${DEST}/aws-logs-write-test`,
      `${DEST}/${TASK}/aws-logs-write-test`,
    ]);
    const { window, manifest } = await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
    expect(window).toEqual({
      fromMs: 0,
      toMs: 99,
      taskId: TASK,
      destinationPrefix: DEST,
      taskCreatedAtMs: 7,
      objectCount: 2,
      bytes: 20,
    });
    expect(manifest.objects?.map((o) => o.key)).toEqual([objectKey('a'), objectKey('b/c')]);
    expect(manifest.parts).toBeUndefined();
    expect(JSON.parse(store.get(`${DEST}/manifest.json`)!.toString('utf8'))).toEqual(manifest);
  });

  it('lists a large export in parts of 10,000 that name their first and last key, and reads them back in order', async () => {
    const count = 2 * PART_OBJECTS + 5;
    const keys = Array.from({ length: count }, (_, i) => objectKey(streamName(i)));
    const { deps } = fakeS3(keys);
    const { manifest } = await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
    expect(manifest.objects).toBeUndefined();
    expect(manifest.parts?.map((p) => p.count)).toEqual([PART_OBJECTS, PART_OBJECTS, 5]);
    expect(manifest.parts?.[1]).toMatchObject({ first: keys[PART_OBJECTS], last: keys[2 * PART_OBJECTS - 1] });
    const read: string[] = [];
    for await (const o of manifestObjects(deps, BUCKET, manifest)) read.push(o.key);
    expect(read).toEqual(keys);
  });

  it('answers whether a window holds a stream from the one part whose keys can hold it, keeping a few parts only', async () => {
    const count = 5 * PART_OBJECTS;
    const { deps, gets } = fakeS3(Array.from({ length: count }, (_, i) => objectKey(streamName(i))));
    const { window, manifest } = await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
    const written = gets(); // the verification's look for a checkpoint
    const index = new ArchiveIndex(deps, BUCKET);
    index.remember(manifest as ExportManifest);
    expect(await index.holds(window, streamName(0))).toBe(true);
    expect(await index.holds(window, streamName(PART_OBJECTS * 3 + 17))).toBe(true);
    expect(await index.holds(window, streamName(count))).toBe(false);
    expect(await index.holds(window, 'not-exported')).toBe(false);
    expect(gets() - written).toBe(2);
    // Streams in order read each part once.
    for (let i = 0; i < count; i += 997) expect(await index.holds(window, streamName(i))).toBe(true);
    expect(gets() - written).toBeLessThanOrEqual(2 + 5);
  });

  it('reads a manifest of an earlier run once, however many deletes ask at the same moment', async () => {
    const { deps, gets } = fakeS3([objectKey('a'), objectKey('b')]);
    const { window } = await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
    const written = gets();
    const index = new ArchiveIndex(deps, BUCKET);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => index.holds(window, i % 2 === 0 ? 'a' : 'zz')),
    );
    expect(answers.filter(Boolean)).toHaveLength(25);
    expect(gets() - written).toBe(1);
  });

  it('stops listing at the deadline and writes no manifest: the export stays in flight for the next run', async () => {
    const { deps, store } = fakeS3(Array.from({ length: 3_000 }, (_, i) => objectKey(streamName(i))));
    let pages = 0;
    const timed = { ...deps, deadline: { remainingMs: () => (pages++ < 2 ? 1_000 : 0) } } as Deps;
    await expect(writeExportManifest(timed, BUCKET, '/app', inFlight, TASK)).rejects.toBeInstanceOf(
      DeadlineReachedError,
    );
    expect(store.has(`${DEST}/manifest.json`)).toBe(false);
  });

  it('goes on after the parts a cut verification saved, never listing from the first key again', async () => {
    const keys = Array.from({ length: 2 * PART_OBJECTS + 5 }, (_, i) => objectKey(streamName(i)));
    const { deps, store, lists } = fakeS3(keys);
    const checkpoint = `${DEST}/manifest-parts/checkpoint.json`;
    const cutAfter = (pages: number): Deps => {
      let left = pages;
      return { ...deps, deadline: { remainingMs: () => (left-- > 0 ? 1_000 : 0) } } as Deps;
    };
    const first = { checkpointed: false };
    await expect(writeExportManifest(cutAfter(12), BUCKET, '/app', inFlight, TASK, first)).rejects.toBeInstanceOf(
      DeadlineReachedError,
    );
    expect(first.checkpointed).toBe(true);
    expect(JSON.parse(store.get(checkpoint)!.toString('utf8'))).toMatchObject({ objectCount: PART_OBJECTS });
    // A run cut before it wrote another part moves nothing on, and says so.
    const idle = { checkpointed: false };
    await expect(writeExportManifest(cutAfter(3), BUCKET, '/app', inFlight, TASK, idle)).rejects.toBeInstanceOf(
      DeadlineReachedError,
    );
    expect(idle.checkpointed).toBe(false);
    const { manifest, window } = await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
    expect(manifest.parts?.map((p) => p.count)).toEqual([PART_OBJECTS, PART_OBJECTS, 5]);
    expect(window.objectCount).toBe(keys.length);
    expect(window.bytes).toBe(10 * keys.length);
    const read: string[] = [];
    for await (const o of manifestObjects(deps, BUCKET, manifest)) read.push(o.key);
    expect(read).toEqual(keys);
    expect(store.has(checkpoint)).toBe(false);
    // One listing of 21 pages, plus the pages the cut runs read past their last part (28): three
    // listings from the first key would be 63.
    expect(lists()).toBeLessThan(2 * 21);
  });

  it("ignores a checkpoint that does not parse or is another task's, and lists from the first key", async () => {
    const keys = Array.from({ length: PART_OBJECTS + 5 }, (_, i) => objectKey(streamName(i)));
    const uneven = {
      taskId: TASK,
      parts: [{ key: 'k', first: keys[0], last: keys[4], count: 5 }],
      objectCount: 6,
      bytes: 1,
    };
    for (const junk of [
      '{"taskId":',
      JSON.stringify(uneven),
      JSON.stringify({
        taskId: 'other',
        parts: [{ key: 'k', first: keys[0], last: keys[9_999], count: 10_000 }],
        objectCount: 10_000,
        bytes: 1,
      }),
    ]) {
      const { deps, store } = fakeS3(keys);
      store.set(`${DEST}/manifest-parts/checkpoint.json`, Buffer.from(junk));
      const { window, manifest } = await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
      expect(window.objectCount).toBe(keys.length);
      expect(window.bytes).toBe(10 * keys.length);
      expect(manifest.parts?.map((p) => p.key)).not.toContain('k');
    }
  });

  it('finds the parts whose key ranges meet a range', () => {
    const parts = [
      { first: 'a', last: 'c' },
      { first: 'd', last: 'f' },
      { first: 'f', last: 'k' },
    ];
    expect(partsOverlapping(parts, 'b', 'b')).toEqual([parts[0]]);
    expect(partsOverlapping(parts, 'f', 'f~')).toEqual([parts[1], parts[2]]);
    expect(partsOverlapping(parts, 'l', 'z')).toEqual([]);
    expect(partsOverlapping(parts, '0', '1')).toEqual([]);
  });
});
