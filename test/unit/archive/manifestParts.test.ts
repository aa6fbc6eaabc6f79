/**
 * The parts of a large export's manifest (src/archive/exportManifest.ts) as later runs read them: their
 * keys, a part S3 does not give back, the few parts the index keeps, the key ranges that select them;
 * and what a verification tells its caller and an operator. Manifests are built by hand here, with a
 * few objects a part, against an in-memory S3 that counts the calls.
 */
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
import type { ArchivedWindow } from '../../../src/types.js';

const BUCKET = 'archive';
const DEST = 'cwl-archive/exports/~app/0-99';
const TASK = 'task-1';
const MANIFEST = `${DEST}/manifest.json`;

/** An in-memory S3 (ListObjectsV2 in key order, 1,000 a page) that counts the calls of each command. */
function fakeS3(keys: readonly string[] = []) {
  const store = new Map<string, Buffer>(keys.map((k) => [k, Buffer.from('x'.repeat(10))]));
  const calls: Record<string, number> = {};
  const send = async (command: { constructor: { name: string }; input: Record<string, string> }) => {
    const { input } = command;
    const name = command.constructor.name;
    calls[name] = (calls[name] ?? 0) + 1;
    switch (name) {
      case 'ListObjectsV2Command': {
        const all = [...store.keys()]
          .filter((k) => k.startsWith(input.Prefix!) && (input.StartAfter === undefined || k > input.StartAfter))
          .sort();
        const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
        const more = start + 1_000 < all.length;
        return {
          Contents: all.slice(start, start + 1_000).map((Key) => ({ Key, Size: store.get(Key)!.length })),
          IsTruncated: more,
          ...(more ? { NextContinuationToken: String(start + 1_000) } : {}),
        };
      }
      case 'PutObjectCommand':
        store.set(input.Key!, Buffer.from(input.Body as unknown as Buffer));
        return { ETag: '"e"' };
      case 'DeleteObjectCommand':
        store.delete(input.Key!);
        return {};
      case 'GetObjectCommand': {
        const body = store.get(input.Key!);
        if (!body) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey', $fault: 'client' });
        return { Body: { transformToByteArray: async () => new Uint8Array(body) }, ETag: '"e"' };
      }
      default:
        throw new Error(`unexpected ${name}`);
    }
  };
  const deps = {
    clients: { s3: { send } },
    call: { limiters: createLimiters({ quotaShare: 1 }), stats: createCallStats() },
    clock: { now: () => 1_000 },
  } as unknown as Deps;
  const put = (key: string, value: unknown): void => {
    store.set(key, Buffer.from(JSON.stringify(value)));
  };
  return { deps, store, put, calls: (name: string): number => calls[name] ?? 0 };
}

const objectKey = (stream: string): string => `${DEST}/${TASK}/${stream}/000000.gz`;
const inFlight = { fromMs: 0, toMs: 99, destinationPrefix: DEST, taskId: TASK, intentAtMs: 5, taskCreatedAtMs: 7 };
const window: ArchivedWindow = {
  fromMs: 0,
  toMs: 99,
  taskId: TASK,
  destinationPrefix: DEST,
  taskCreatedAtMs: 7,
  objectCount: 0,
  bytes: 0,
};

/** A manifest listing its objects in parts, one stream a part (`s0`, `s1`…), the parts stored unless `missing`. */
function partedManifest(put: (key: string, value: unknown) => void, count: number, missing: number[] = []) {
  const parts = Array.from({ length: count }, (_, n) => {
    const key = `${DEST}/manifest-parts/p${n}.json`;
    const objects = [{ key: objectKey(`s${n}`), size: 10 }];
    if (!missing.includes(n)) put(key, { objects });
    return { key, first: objects[0]!.key, last: objects[0]!.key, count: 1 };
  });
  const manifest: ExportManifest = { logGroupName: '/app', ...window, objectCount: count, verifiedAtMs: 1, parts };
  put(MANIFEST, manifest);
  return manifest;
}

describe('a large manifest read back', () => {
  it('stores its parts as manifest-parts/00000.json, 00001.json…, so that S3 lists them in their order', async () => {
    const keys = Array.from({ length: PART_OBJECTS + 1 }, (_, i) => objectKey(`s${String(i).padStart(6, '0')}`));
    const { deps, store } = fakeS3(keys);
    const { manifest } = await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
    const expected = [`${DEST}/manifest-parts/00000.json`, `${DEST}/manifest-parts/00001.json`];
    expect(manifest.parts?.map((p) => p.key)).toEqual(expected);
    expect(expected.every((k) => store.has(k))).toBe(true);
  });

  it('yields an inline manifest’s objects without reading anything from S3', async () => {
    const { deps, calls } = fakeS3();
    const objects = [{ key: objectKey('a'), size: 1 }];
    const manifest: ExportManifest = { logGroupName: '/app', ...window, objectCount: 1, verifiedAtMs: 1, objects };
    const read: unknown[] = [];
    for await (const o of manifestObjects(deps, BUCKET, manifest)) read.push(o);
    expect(read).toEqual(objects);
    expect(calls('GetObjectCommand')).toBe(0);
  });

  it('counts no stream of a part S3 does not give back as archived, and still reads the other parts', async () => {
    const { deps, put } = fakeS3();
    const manifest = partedManifest(put, 3, [1]);
    const read: string[] = [];
    for await (const o of manifestObjects(deps, BUCKET, manifest)) read.push(o.key);
    expect(read).toEqual([objectKey('s0'), objectKey('s2')]);
    const index = new ArchiveIndex(deps, BUCKET);
    expect(await index.holds(window, 's1')).toBe(false);
    expect(await index.holds(window, 's2')).toBe(true);
  });

  it('holds no stream for a window whose manifest is not in S3', async () => {
    const { deps, calls } = fakeS3();
    const index = new ArchiveIndex(deps, BUCKET);
    expect(await index.holds(window, 's0')).toBe(false);
    expect(calls('GetObjectCommand')).toBe(1);
  });

  it('keeps the four parts last used: a fifth reads again the one used longest ago, and only it', async () => {
    const { deps, put, calls } = fakeS3();
    partedManifest(put, 5);
    const index = new ArchiveIndex(deps, BUCKET);
    const reads = async (stream: string): Promise<number> => {
      const before = calls('GetObjectCommand');
      expect(await index.holds(window, stream)).toBe(true);
      return calls('GetObjectCommand') - before;
    };
    expect(await reads('s0')).toBe(2); // the manifest, then its part
    for (const s of ['s1', 's2', 's3', 's0']) await reads(s);
    expect(calls('GetObjectCommand')).toBe(1 + 4); // s0 was still kept
    expect(await reads('s4')).toBe(1); // leaves out s1, used longest ago
    expect(await reads('s0')).toBe(0);
    expect(await reads('s1')).toBe(1);
  });

  it('selects a part whose first key is the upper bound of the range, and none that starts past it', () => {
    const parts = [
      { first: 'a', last: 'c' },
      { first: 'f', last: 'k' },
      { first: 'l', last: 'p' },
    ];
    expect(partsOverlapping(parts, 'd', 'f')).toEqual([parts[1]]);
    expect(partsOverlapping(parts, 'c', 'e')).toEqual([parts[0]]);
  });
});

describe('a verification', () => {
  it('that found no checkpoint to resume deletes none, when its caller does not ask whether it moved on', async () => {
    const { deps, calls, store } = fakeS3([objectKey('a')]);
    await writeExportManifest(deps, BUCKET, '/app', inFlight, TASK);
    expect(store.has(MANIFEST)).toBe(true);
    expect(calls('DeleteObjectCommand')).toBe(0);
  });

  it('that the deadline cuts says which export it was verifying', async () => {
    const { deps } = fakeS3([objectKey('a')]);
    const timed = { ...deps, deadline: { remainingMs: () => 0 } } as Deps;
    const err = await writeExportManifest(timed, BUCKET, '/app', inFlight, TASK).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineReachedError);
    expect((err as Error).message).toBe('the deadline came while verifying export task-1');
  });
});
