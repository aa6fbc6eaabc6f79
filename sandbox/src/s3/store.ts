/**
 * The S3 side of the sandbox's state: buckets and byte-exact objects. Used by the S3 handlers, by
 * export tasks (which write as the CloudWatch Logs service would) and by the test-facing helpers.
 */
import { createHash } from 'node:crypto';
import { ServiceError } from '../errors.js';
import { NamedMap } from '../sortedIndex.js';
import type { Bucket, SandboxState, StoredObject } from '../state.js';

/** S3 bucket naming rules: 3–63 of `a-z 0-9 . -`, starting and ending with a letter or digit. */
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** S3's ETag of a single-part object: the quoted MD5 hex of its bytes. */
const md5Etag = (body: Buffer): string => `"${createHash('md5').update(body).digest('hex')}"`;

/** S3's 404 for a bucket that does not exist. */
function noSuchBucket(name: string): ServiceError {
  return new ServiceError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
}

/** The bucket, or NoSuchBucket. */
function requireBucket(state: SandboxState, name: string): Bucket {
  const bucket = state.buckets.get(name);
  if (!bucket) throw noSuchBucket(name);
  return bucket;
}

/** Whether S3 would accept `name` for a new bucket. */
function validBucketName(name: string): boolean {
  return BUCKET_NAME_PATTERN.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

/** Creates an empty bucket. */
function addBucket(state: SandboxState, name: string): Bucket {
  const bucket: Bucket = { name, creationTime: state.clock.now(), objects: new NamedMap() };
  state.buckets.set(name, bucket);
  return bucket;
}

interface WriteOptions {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly checksums?: Readonly<Record<string, string>>;
}

/** Stores (or replaces) an object with its ETag and the sandbox clock as LastModified. */
function writeObject(
  state: SandboxState,
  bucket: Bucket,
  key: string,
  body: Buffer,
  opts: WriteOptions = {},
): StoredObject {
  const object: StoredObject = {
    key,
    body,
    etag: md5Etag(body),
    lastModifiedMs: state.clock.now(),
    contentType: opts.contentType ?? 'binary/octet-stream',
    ...(opts.contentEncoding !== undefined && { contentEncoding: opts.contentEncoding }),
    metadata: opts.metadata ?? {},
    checksums: opts.checksums ?? {},
  };
  bucket.objects.set(key, object);
  return object;
}

/** Objects under `prefix`, sorted by key as S3 lists them. */
function sortedObjects(bucket: Bucket, prefix = ''): StoredObject[] {
  return [...bucket.objects.sortedValues(prefix)];
}

export { addBucket, md5Etag, noSuchBucket, requireBucket, sortedObjects, validBucketName, writeObject };
export type { WriteOptions };
