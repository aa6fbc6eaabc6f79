/**
 * Bucket operations: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, ListObjectsV2,
 * DeleteObjects.
 */
import { ServiceError } from '../errors.js';
import { endOfPrefix, firstIndex } from '../sortedIndex.js';
import type { Bucket, StoredObject } from '../state.js';
import { addBucket, requireBucket, validBucketName } from './store.js';
import { xmlResponse } from './request.js';
import type { S3Handler } from './request.js';
import { el, parseDeleteRequest, xmlDocument } from './xml.js';

/** ListObjectsV2 returns at most 1,000 keys a page. */
const LIST_MAX_KEYS = 1000;
/** DeleteObjects takes at most 1,000 keys a call. */
const DELETE_MAX_KEYS = 1000;

const createBucket: S3Handler = (state, req) => {
  const name = req.bucket ?? '';
  if (!validBucketName(name))
    throw new ServiceError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
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
    throw new ServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
      BucketName: bucket.name,
    });
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

/**
 * Up to `count` entries after `after`, rolled up into common prefixes by `delimiter`, in key order,
 * from the bucket's sorted index: a binary search, the page, and one jump over each common prefix.
 */
function listEntries(bucket: Bucket, prefix: string, delimiter: string, after: string, count: number): ListEntry[] {
  const keys = bucket.objects.byName.keys();
  const entries: ListEntry[] = [];
  const end = endOfPrefix(keys, prefix);
  let i = Math.max(
    firstIndex(keys, (k) => k >= prefix),
    firstIndex(keys, (k) => k > after),
  );
  while (i < end && entries.length < count) {
    const key = keys[i]!;
    const object = bucket.objects.get(key);
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut < 0) {
      if (object !== undefined) entries.push({ object });
      i += 1;
      continue;
    }
    const commonPrefix = key.slice(0, cut + delimiter.length);
    // Every key under a common prefix rolls up into it (a dead key only stands for itself).
    if (object === undefined) {
      i += 1;
      continue;
    }
    // A continuation after a common prefix must skip every key under it.
    if (commonPrefix !== after) entries.push({ commonPrefix });
    i = endOfPrefix(keys, commonPrefix, i);
  }
  return entries;
}

function decodeContinuation(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!token || Buffer.from(key, 'utf8').toString('base64url') !== token) {
    throw new ServiceError('InvalidArgument', 'The continuation token provided is incorrect', 400, {
      ArgumentName: 'continuation-token',
    });
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
  const entries = listEntries(bucket, prefix, delimiter, after, maxKeys + 1);
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  const last = page.at(-1);
  const contents = page
    .flatMap((e) => (e.object ? [e.object] : []))
    .map((o) => `<Contents>${contentsOf(o)}</Contents>`)
    .join('');
  const prefixes = page
    .flatMap((e) =>
      e.commonPrefix !== undefined ? [`<CommonPrefixes>${el('Prefix', e.commonPrefix)}</CommonPrefixes>`] : [],
    )
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
    throw new ServiceError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  for (const key of request.keys) bucket.objects.delete(key);
  const deleted = request.quiet ? '' : request.keys.map((k) => `<Deleted>${el('Key', k)}</Deleted>`).join('');
  return xmlResponse(xmlDocument('DeleteResult', deleted));
};

export { createBucket, deleteBucket, deleteObjects, headBucket, listBuckets, listObjectsV2 };
