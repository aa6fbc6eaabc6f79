/**
 * Object operations: PutObject (byte-exact, aws-chunked decoded, conditional writes), GetObject,
 * HeadObject, DeleteObject, CopyObject.
 */
import { ServiceError } from '../errors.js';
import type { SandboxState, StoredObject } from '../state.js';
import { header, requestPayload } from './awsChunked.js';
import { verifyUpload } from './checksums.js';
import { requireBucket, writeObject } from './store.js';
import { xmlResponse } from './request.js';
import type { S3Handler, S3Request, S3Response } from './request.js';
import { el, xmlDocument } from './xml.js';

const noSuchKey = (key: string): ServiceError =>
  new ServiceError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });

const preconditionFailed = (condition: string): ServiceError =>
  new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
    Condition: condition,
  });

/** ETags compare without their quotes (clients send both forms). */
const sameEtag = (a: string, b: string): boolean => a.replace(/"/g, '').trim() === b.replace(/"/g, '').trim();

function userMetadata(req: S3Request): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) meta[name.slice('x-amz-meta-'.length)] = String(value);
  }
  return meta;
}

/**
 * `If-None-Match: *` fails (412) when the key exists; `If-Match: <etag>` fails (412) when the
 * ETag differs and answers 404 NoSuchKey when there is no object, as S3 does.
 */
function checkWritePreconditions(req: S3Request, existing: StoredObject | undefined, key: string): void {
  const ifNoneMatch = header(req.headers, 'if-none-match');
  if (ifNoneMatch !== undefined && existing !== undefined) throw preconditionFailed('If-None-Match');
  const ifMatch = header(req.headers, 'if-match');
  if (ifMatch === undefined) return;
  if (existing === undefined) throw noSuchKey(key);
  if (ifMatch.trim() !== '*' && !sameEtag(ifMatch, existing.etag)) throw preconditionFailed('If-Match');
}

const putObject: S3Handler = (state, req) => {
  const bucket = requireBucket(state, req.bucket ?? '');
  const key = req.key ?? '';
  const { body, trailers } = requestPayload(req.headers, req.body);
  const checksums = verifyUpload(req.headers, trailers, body);
  checkWritePreconditions(req, bucket.objects.get(key), key);
  // aws-chunked is transport framing, not a property of the stored object.
  const encoding = (header(req.headers, 'content-encoding') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'aws-chunked')
    .join(',');
  const contentType = header(req.headers, 'content-type');
  const object = writeObject(state, bucket, key, body, {
    ...(contentType !== undefined && { contentType }),
    ...(encoding !== '' && { contentEncoding: encoding }),
    metadata: userMetadata(req),
    checksums,
  });
  return { status: 200, headers: { etag: object.etag, ...checksums } };
};

function objectHeaders(object: StoredObject, req: S3Request): Record<string, string> {
  const withChecksums = (header(req.headers, 'x-amz-checksum-mode') ?? '').toUpperCase() === 'ENABLED';
  return {
    'content-type': object.contentType,
    'content-length': String(object.body.length),
    etag: object.etag,
    'last-modified': new Date(object.lastModifiedMs).toUTCString(),
    'accept-ranges': 'bytes',
    ...(object.contentEncoding !== undefined && { 'content-encoding': object.contentEncoding }),
    ...Object.fromEntries(Object.entries(object.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    ...(withChecksums && object.checksums),
  };
}

function readableObject(state: SandboxState, req: S3Request): StoredObject {
  const bucket = requireBucket(state, req.bucket ?? '');
  const object = bucket.objects.get(req.key ?? '');
  if (!object) throw noSuchKey(req.key ?? '');
  const ifMatch = header(req.headers, 'if-match');
  if (ifMatch !== undefined && ifMatch.trim() !== '*' && !sameEtag(ifMatch, object.etag))
    throw preconditionFailed('If-Match');
  return object;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined for anything else (the whole object is sent). */
function byteRange(range: string | undefined, size: number): [number, number] | undefined {
  const m = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [start, end] =
    m[1] === ''
      ? [Math.max(0, size - Number(m[2])), size - 1]
      : [Number(m[1]), m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)];
  if (start > end || start >= size)
    throw new ServiceError('InvalidRange', 'The requested range is not satisfiable', 416);
  return [start, end];
}

function getOrHead(state: SandboxState, req: S3Request, withBody: boolean): S3Response {
  const object = readableObject(state, req);
  const ifNoneMatch = header(req.headers, 'if-none-match');
  if (ifNoneMatch !== undefined && sameEtag(ifNoneMatch, object.etag))
    return { status: 304, headers: { etag: object.etag } };
  const headers = objectHeaders(object, req);
  const range = withBody ? byteRange(header(req.headers, 'range'), object.body.length) : undefined;
  if (!range) return { status: 200, headers, ...(withBody && { body: object.body }) };
  const [start, end] = range;
  return {
    status: 206,
    headers: {
      ...headers,
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${object.body.length}`,
    },
    body: object.body.subarray(start, end + 1),
  };
}

const getObject: S3Handler = (s, req) => getOrHead(s, req, true);
const headObject: S3Handler = (s, req) => getOrHead(s, req, false);

/** `If-Match: <etag>` makes the delete conditional (S3's conditional deletes): 412 when the object changed. */
const deleteObject: S3Handler = (s, req) => {
  const objects = requireBucket(s, req.bucket ?? '').objects;
  const ifMatch = header(req.headers, 'if-match');
  const existing = objects.get(req.key ?? '');
  if (
    ifMatch !== undefined &&
    ifMatch.trim() !== '*' &&
    (existing === undefined || !sameEtag(ifMatch, existing.etag))
  ) {
    throw existing === undefined ? noSuchKey(req.key ?? '') : preconditionFailed('If-Match');
  }
  objects.delete(req.key ?? '');
  return { status: 204 };
};

/** `x-amz-copy-source: /bucket/key` (URL-encoded, leading slash optional). */
const copyObject: S3Handler = (s, req) => {
  const source = decodeURIComponent((header(req.headers, 'x-amz-copy-source') ?? '').split('?')[0] ?? '').replace(
    /^\//,
    '',
  );
  const slash = source.indexOf('/');
  const sourceKey = source.slice(slash + 1);
  const original = requireBucket(s, source.slice(0, slash)).objects.get(sourceKey);
  if (slash < 0 || !original) throw noSuchKey(sourceKey);
  const bucket = requireBucket(s, req.bucket ?? '');
  checkWritePreconditions(req, bucket.objects.get(req.key ?? ''), req.key ?? '');
  const copy = writeObject(s, bucket, req.key ?? '', original.body, {
    contentType: original.contentType,
    ...(original.contentEncoding !== undefined && { contentEncoding: original.contentEncoding }),
    metadata: original.metadata,
    checksums: original.checksums,
  });
  return xmlResponse(
    xmlDocument(
      'CopyObjectResult',
      el('LastModified', new Date(copy.lastModifiedMs).toISOString()) + el('ETag', copy.etag),
    ),
  );
};

export { copyObject, deleteObject, getObject, headObject, putObject };
