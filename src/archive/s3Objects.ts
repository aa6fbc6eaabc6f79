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
import type { z } from 'zod';
import { bulkRequest } from '../aws/clients.js';
import { StateConflictError, StateCorruptError, StateUnreadableError } from '../errors.js';

type S3Deps = Pick<Deps, 'clients' | 'call'>;

interface Stored<T> {
  readonly value: T;
  readonly etag: string;
}

/** The fix named when a damaged object is found and the caller has no better advice. */
const DEFAULT_FIX =
  'cwl-trim wrote this object and cannot read it back: restore an earlier version (S3 versioning) or delete it if you know what it held';

/** Reads an object's bytes (gunzipped when the key ends in `.gz`); undefined when it does not exist. */
async function getBytes(deps: S3Deps, bucket: string, key: string): Promise<Stored<Buffer> | undefined> {
  try {
    const out = await callAws(deps.call, 'GetObject', () =>
      deps.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), bulkRequest(deps)),
    );
    const array = await out.Body!.transformToByteArray();
    // A view, not a copy: a journal batch is a megabyte.
    const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
    return { value: key.endsWith('.gz') ? gunzipSync(bytes) : bytes, etag: out.ETag ?? '' };
  } catch (err) {
    if (errorName(err) === 'NoSuchKey' || errorName(err) === 'NotFound') return undefined;
    if (errorName(err) === 'AccessDenied') throw new StateUnreadableError(bucket, key, { cause: err });
    throw err;
  }
}

/** Parses JSON bytes; damage becomes a {@link StateCorruptError} naming the object and the fix. */
function parseJson(bytes: Buffer, bucket: string, key: string, fix: string = DEFAULT_FIX): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw new StateCorruptError(bucket, key, `not valid JSON (${(err as Error).message})`, fix, { cause: err });
  }
}

/** Checks a parsed object against its schema; a mismatch becomes a {@link StateCorruptError}. */
function checkSchema<T>(
  schema: z.ZodType<T>,
  value: unknown,
  bucket: string,
  key: string,
  fix: string = DEFAULT_FIX,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new StateCorruptError(bucket, key, `does not match its schema${where}: ${issue?.message ?? 'invalid'}`, fix, {
    cause: parsed.error,
  });
}

/** Reads a JSON object; undefined when it does not exist; damaged JSON is a {@link StateCorruptError}. */
async function getJson<T>(deps: S3Deps, bucket: string, key: string): Promise<Stored<T> | undefined> {
  const stored = await getBytes(deps, bucket, key);
  if (!stored) return undefined;
  return { value: parseJson(stored.value, bucket, key) as T, etag: stored.etag };
}

/**
 * Reads a JSON object and validates it against its schema: durable state is never trusted as it
 * comes. Undefined when it does not exist.
 */
async function getValidated<T>(
  deps: S3Deps,
  bucket: string,
  key: string,
  schema: z.ZodType<T>,
  fix?: string,
): Promise<Stored<T> | undefined> {
  const stored = await getBytes(deps, bucket, key);
  if (!stored) return undefined;
  return { value: checkSchema(schema, parseJson(stored.value, bucket, key, fix), bucket, key, fix), etag: stored.etag };
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
  return putText(deps, bucket, key, JSON.stringify(value), condition);
}

/** Writes text already serialised (a journal batch hashes the very bytes it stores). */
async function putText(
  deps: S3Deps,
  bucket: string,
  key: string,
  text: string,
  condition: { ifMatch?: string; ifNoneMatch?: '*' } = {},
): Promise<string> {
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
        bulkRequest(deps),
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

/** The objects under a prefix, one page (up to 1,000) at a time. */
async function* listObjectPages(
  deps: S3Deps,
  bucket: string,
  prefix: string,
  startAfter?: string,
): AsyncGenerator<_Object[]> {
  const pages = paginate(
    deps.call,
    {
      operation: 'ListObjectsV2',
      send: (input: ListObjectsV2CommandInput) => deps.clients.s3.send(new ListObjectsV2Command(input)),
      inputToken: 'ContinuationToken',
      // As paginateListObjectsV2, plus IsTruncated: a last page may still carry a token.
      outputToken: (page) => (page.IsTruncated ? page.NextContinuationToken : undefined),
    },
    { Bucket: bucket, Prefix: prefix, ...(startAfter === undefined ? {} : { StartAfter: startAfter }) },
  );
  for await (const page of pages) yield page.Contents ?? [];
}

/** Lists every object under a prefix (all pages), for listings known to be small. */
async function listObjects(deps: S3Deps, bucket: string, prefix: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  for await (const page of listObjectPages(deps, bucket, prefix)) objects.push(...page);
  return objects;
}

async function deleteObject(deps: S3Deps, bucket: string, key: string): Promise<void> {
  await callAws(deps.call, 'DeleteObject', () =>
    deps.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })),
  );
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

export {
  checkSchema,
  deleteObject,
  deletePrefix,
  getBytes,
  getJson,
  getValidated,
  listObjectPages,
  listObjects,
  parseJson,
  putJson,
  putText,
};
export type { S3Deps, Stored };
