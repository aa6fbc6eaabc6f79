import { gunzipSync, gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandInput,
  type _Object,
} from '@aws-sdk/client-s3';
import { callAws, errorName } from '../aws/callAws.js';
import { paginate } from '../aws/paginate.js';
import type { Deps } from '../deps.js';
import { StateConflictError } from '../errors.js';

type S3Deps = Pick<Deps, 'clients' | 'call'>;

interface Stored<T> {
  readonly value: T;
  readonly etag: string;
}

/** Reads a JSON object; undefined when it does not exist. */
async function getJson<T>(deps: S3Deps, bucket: string, key: string): Promise<Stored<T> | undefined> {
  try {
    const out = await callAws(deps.call, 'GetObject', () =>
      deps.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    const array = await out.Body!.transformToByteArray();
    // A view, not a copy: a journal batch is a megabyte.
    const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    const text = key.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    return { value: JSON.parse(text) as T, etag: out.ETag ?? '' };
  } catch (err) {
    if (errorName(err) === 'NoSuchKey' || errorName(err) === 'NotFound') return undefined;
    throw err;
  }
}

/**
 * Writes a JSON object (gzipped when the key ends in `.gz`). `ifMatch` / `ifNoneMatch` make it a
 * conditional write: a concurrent writer makes it fail with {@link StateConflictError} instead of
 * being silently overwritten.
 */
async function putJson(
  deps: S3Deps,
  bucket: string,
  key: string,
  value: unknown,
  condition: { ifMatch?: string; ifNoneMatch?: '*' } = {},
): Promise<string> {
  const text = JSON.stringify(value);
  const body = key.endsWith('.gz') ? gzipSync(text) : Buffer.from(text, 'utf8');
  try {
    const out = await callAws(deps.call, 'PutObject', () =>
      deps.clients.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...(key.endsWith('.gz') ? { ContentEncoding: 'gzip' } : {}),
          ...(condition.ifMatch ? { IfMatch: condition.ifMatch } : {}),
          ...(condition.ifNoneMatch ? { IfNoneMatch: condition.ifNoneMatch } : {}),
        }),
      ),
    );
    return out.ETag ?? '';
  } catch (err) {
    if (errorName(err) === 'PreconditionFailed' || errorName(err) === 'ConditionalRequestConflict') {
      throw new StateConflictError(`s3://${bucket}/${key} was changed by someone else`, { cause: err });
    }
    throw err;
  }
}

/** Lists every object under a prefix (all pages). */
async function listObjects(deps: S3Deps, bucket: string, prefix: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  const pages = paginate(deps.call, {
    operation: 'ListObjectsV2',
    send: (input: ListObjectsV2CommandInput) => deps.clients.s3.send(new ListObjectsV2Command(input)),
    inputToken: 'ContinuationToken',
    // As paginateListObjectsV2, plus IsTruncated: a last page may still carry a token.
    outputToken: (page) => (page.IsTruncated ? page.NextContinuationToken : undefined),
  }, { Bucket: bucket, Prefix: prefix });
  for await (const page of pages) objects.push(...(page.Contents ?? []));
  return objects;
}

async function deleteObject(deps: S3Deps, bucket: string, key: string): Promise<void> {
  await callAws(deps.call, 'DeleteObject', () => deps.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
}

/** Deletes every object under a prefix, 1,000 keys a call. */
async function deletePrefix(deps: S3Deps, bucket: string, prefix: string): Promise<number> {
  const keys = (await listObjects(deps, bucket, prefix)).map((o) => o.Key!).filter(Boolean);
  for (let i = 0; i < keys.length; i += 1_000) {
    const chunk = keys.slice(i, i + 1_000);
    await callAws(deps.call, 'DeleteObjects', () =>
      deps.clients.s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }),
      ),
    );
  }
  return keys.length;
}

export { deleteObject, deletePrefix, getJson, listObjects, putJson };
export type { S3Deps, Stored };
