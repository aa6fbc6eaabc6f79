/**
 * Path-style S3 routing: `/<bucket>` and `/<bucket>/<key>` with the method and query deciding
 * the operation, named as the SDK names it so the call log reads like the code under test.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createBucket, deleteBucket, deleteObjects, headBucket, listBuckets, listObjectsV2 } from './buckets.js';
import { header } from './awsChunked.js';
import { copyObject, deleteObject, getObject, headObject, putObject } from './objects.js';
import type { S3Handler, S3Request } from './request.js';

interface S3Route {
  readonly operation: string;
  /** Undefined when the sandbox does not implement the request (answered 501 NotImplemented). */
  readonly handler?: S3Handler;
  readonly request: S3Request;
  /** SDK-style fields for the call log. */
  readonly input: Record<string, unknown>;
}

/**
 * Splits the raw request target without URL normalisation: S3 keys may hold `//`, `./` or `..`,
 * which `new URL()` would rewrite.
 */
function parseTarget(rawUrl: string): { bucket?: string; key?: string; query: URLSearchParams } {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const rest = path.replace(/^\//, '');
  if (rest === '') return { query };
  const slash = rest.indexOf('/');
  if (slash < 0 || slash === rest.length - 1) return { bucket: decodeURIComponent(rest.replace(/\/$/, '')), query };
  return { bucket: decodeURIComponent(rest.slice(0, slash)), key: decodeURIComponent(rest.slice(slash + 1)), query };
}

/** Query parameters other than the SDK's informational `x-id`: a sub-resource such as `?policy`. */
const subresources = (query: URLSearchParams): string[] => [...query.keys()].filter((k) => k !== 'x-id');

function bucketOperation(method: string, query: URLSearchParams): [string, S3Handler | undefined] {
  const plain = subresources(query).length === 0;
  if (method === 'PUT' && plain) return ['CreateBucket', createBucket];
  if (method === 'HEAD') return ['HeadBucket', headBucket];
  if (method === 'DELETE' && plain) return ['DeleteBucket', deleteBucket];
  if (method === 'POST' && query.has('delete')) return ['DeleteObjects', deleteObjects];
  if (method === 'GET' && query.get('list-type') === '2') return ['ListObjectsV2', listObjectsV2];
  if (method === 'GET' && query.has('location')) return ['GetBucketLocation', undefined];
  if (
    method === 'GET' &&
    subresources(query).every((k) => ['prefix', 'delimiter', 'marker', 'max-keys', 'encoding-type'].includes(k))
  ) {
    return ['ListObjects', undefined];
  }
  return [`${method}Bucket?${subresources(query).join('&')}`, undefined];
}

function objectOperation(
  method: string,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): [string, S3Handler | undefined] {
  if (query.has('uploads') || query.has('uploadId')) return ['MultipartUpload', undefined];
  if (method === 'PUT' && header(headers, 'x-amz-copy-source') !== undefined) return ['CopyObject', copyObject];
  if (method === 'PUT' && !query.has('tagging') && !query.has('acl')) return ['PutObject', putObject];
  if (method === 'GET' && !query.has('tagging') && !query.has('acl')) return ['GetObject', getObject];
  if (method === 'HEAD') return ['HeadObject', headObject];
  if (method === 'DELETE') return ['DeleteObject', deleteObject];
  return [`${method}Object?${subresources(query).join('&')}`, undefined];
}

/** SDK-style fields of a request, for the call log. */
function logInput(op: string, req: S3Request): Record<string, unknown> {
  const { bucket, key, query, headers } = req;
  const input: Record<string, unknown> = {};
  if (bucket !== undefined) input['Bucket'] = bucket;
  if (key !== undefined) input['Key'] = key;
  const fromQuery: Readonly<Record<string, string>> = {
    prefix: 'Prefix',
    delimiter: 'Delimiter',
    'max-keys': 'MaxKeys',
    'continuation-token': 'ContinuationToken',
    'start-after': 'StartAfter',
  };
  for (const [param, field] of Object.entries(fromQuery)) {
    const value = query.get(param);
    if (value !== null) input[field] = param === 'max-keys' ? Number(value) : value;
  }
  const ifNoneMatch = header(headers, 'if-none-match');
  const ifMatch = header(headers, 'if-match');
  if (ifNoneMatch !== undefined) input['IfNoneMatch'] = ifNoneMatch;
  if (ifMatch !== undefined) input['IfMatch'] = ifMatch;
  // Bytes on the wire: larger than the object when aws-chunked framing was sent.
  if (op === 'PutObject' || op === 'DeleteObjects') input['BodyBytes'] = req.body.length;
  return input;
}

/** Decides which S3 operation a request is. */
function routeS3(method: string, rawUrl: string, headers: IncomingHttpHeaders, body: Buffer): S3Route {
  const { bucket, key, query } = parseTarget(rawUrl);
  const [operation, handler] =
    bucket === undefined
      ? method === 'GET'
        ? (['ListBuckets', listBuckets] as const)
        : ([`${method}Service`, undefined] as const)
      : key === undefined
        ? bucketOperation(method, query)
        : objectOperation(method, query, headers);
  const request: S3Request = {
    method,
    ...(bucket !== undefined && { bucket }),
    ...(key !== undefined && { key }),
    query,
    headers,
    body,
  };
  return { operation, ...(handler && { handler }), request, input: logInput(operation, request) };
}

export { parseTarget, routeS3 };
export type { S3Route };
