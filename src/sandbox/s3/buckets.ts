/**
 * Bucket operations: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, ListObjectsV2,
 * DeleteObjects.
 */
import { ServiceError } from '../errors.js';
import type { StoredObject } from '../state.js';
import { addBucket, requireBucket, sortedObjects, validBucketName } from './store.js';
import { xmlResponse } from './request.js';
import type { S3Handler } from './request.js';
import { el, parseDeleteRequest, xmlDocument } from './xml.js';

/** ListObjectsV2 returns at most 1,000 keys a page. */
const LIST_MAX_KEYS = 1000;
/** DeleteObjects takes at most 1,000 keys a call. */
const DELETE_MAX_KEYS = 1000;

const createBucket: S3Handler = (state, req) => {
  const name = req.bucket ?? '';
  if (!validBucketName(name)) throw new ServiceError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
  if (state.buckets.has(name)) {
    // S3 legacy rule: re-creating your own bucket answers 200 in us-east-1, 409 everywhere else.
    if (state.region !== 'us-east-1') {
      throw new ServiceError(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        409,
        { BucketName: name },
      );
    }
  } else {
    addBucket(state, name);
  }
  return { status: 200, headers: { location: `/${name}` } };
};

const headBucket: S3Handler = (state, req) => {
  requireBucket(state, req.bucket ?? '');
  return { status: 200, headers: { 'x-amz-bucket-region': state.region } };
};

const deleteBucket: S3Handler = (state, req) => {
  const bucket = requireBucket(state, req.bucket ?? '');
  if (bucket.objects.size > 0) {
    throw new ServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket.name });
  }
  state.buckets.delete(bucket.name);
  return { status: 204 };
};

const listBuckets: S3Handler = (state) => {
  const buckets = [...state.buckets.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', new Date(b.creationTime).toISOString())}</Bucket>`)
    .join('');
  const owner = `<Owner>${el('ID', state.accountId)}${el('DisplayName', 'sandbox')}</Owner>`;
  return xmlResponse(xmlDocument('ListAllMyBucketsResult', `${owner}<Buckets>${buckets}</Buckets>`));
};

interface ListEntry {
  readonly object?: StoredObject;
  readonly commonPrefix?: string;
}

const entryKey = (e: ListEntry): string => e.object?.key ?? e.commonPrefix ?? '';

/** Keys after `after`, rolled up into common prefixes by `delimiter`, as one sorted sequence. */
function listEntries(objects: readonly StoredObject[], prefix: string, delimiter: string, after: string): ListEntry[] {
  const entries: ListEntry[] = [];
  for (const object of objects) {
    if (object.key <= after) continue;
    const cut = delimiter === '' ? -1 : object.key.indexOf(delimiter, prefix.length);
    if (cut < 0) {
      entries.push({ object });
      continue;
    }
    const commonPrefix = object.key.slice(0, cut + delimiter.length);
    // A continuation after a common prefix must skip every key under it.
    if (commonPrefix === after || entries.at(-1)?.commonPrefix === commonPrefix) continue;
    entries.push({ commonPrefix });
  }
  return entries;
}

function decodeContinuation(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!token || Buffer.from(key, 'utf8').toString('base64url') !== token) {
    throw new ServiceError('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' });
  }
  return key;
}

const contentsOf = (o: StoredObject): string =>
  el('Key', o.key) +
  el('LastModified', new Date(o.lastModifiedMs).toISOString()) +
  el('ETag', o.etag) +
  el('Size', o.body.length) +
  el('StorageClass', 'STANDARD');

const listObjectsV2: S3Handler = (state, req) => {
  const bucket = requireBucket(state, req.bucket ?? '');
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Math.min(LIST_MAX_KEYS, Math.max(0, Number(q.get('max-keys') ?? LIST_MAX_KEYS) || 0));
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after') ?? '';
  const after = token !== null ? decodeContinuation(token) : startAfter;
  const entries = listEntries(sortedObjects(bucket, prefix), prefix, delimiter, after);
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  const last = page.at(-1);
  const contents = page
    .flatMap((e) => (e.object ? [e.object] : []))
    .map((o) => `<Contents>${contentsOf(o)}</Contents>`)
    .join('');
  const prefixes = page
    .flatMap((e) => (e.commonPrefix !== undefined ? [`<CommonPrefixes>${el('Prefix', e.commonPrefix)}</CommonPrefixes>`] : []))
    .join('');
  const inner =
    el('Name', bucket.name) +
    el('Prefix', prefix) +
    (delimiter !== '' ? el('Delimiter', delimiter) : '') +
    el('MaxKeys', maxKeys) +
    el('KeyCount', page.length) +
    el('IsTruncated', truncated) +
    (token !== null ? el('ContinuationToken', token) : '') +
    (truncated && last ? el('NextContinuationToken', Buffer.from(entryKey(last), 'utf8').toString('base64url')) : '') +
    (startAfter !== '' ? el('StartAfter', startAfter) : '') +
    contents +
    prefixes;
  return xmlResponse(xmlDocument('ListBucketResult', inner));
};

const deleteObjects: S3Handler = (state, req) => {
  const bucket = requireBucket(state, req.bucket ?? '');
  const request = parseDeleteRequest(req.body.toString('utf8'));
  if (!request || request.keys.length > DELETE_MAX_KEYS) {
    throw new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  for (const key of request.keys) bucket.objects.delete(key);
  const deleted = request.quiet ? '' : request.keys.map((k) => `<Deleted>${el('Key', k)}</Deleted>`).join('');
  return xmlResponse(xmlDocument('DeleteResult', deleted));
};

export { createBucket, deleteBucket, deleteObjects, headBucket, listBuckets, listObjectsV2 };
