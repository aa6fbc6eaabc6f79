/**
 * Decoding `Content-Encoding: aws-chunked` request bodies.
 *
 * SDK v3 S3 clients with default checksum settings send streamed bodies framed as
 * `<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailer>: <value>\r\n\r\n`
 * (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`). Storing that framing as the object
 * would silently corrupt it, which is what servers predating this encoding do.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError } from '../errors.js';

const CRLF = Buffer.from('\r\n');

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Whether the body carries aws-chunked framing. */
function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = header(headers, 'content-encoding') ?? '';
  const sha = header(headers, 'x-amz-content-sha256') ?? '';
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

const incomplete = (why: string): ServiceError =>
  new ServiceError(
    'IncompleteBody',
    `You did not provide the number of bytes specified by the Content-Length HTTP header: ${why}`,
  );

/** The payload and the trailing headers (lower-cased names) of an aws-chunked body. */
function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const chunks: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = raw.indexOf(CRLF, pos);
    if (lineEnd < 0) throw incomplete('chunk header missing');
    const size = Number.parseInt(raw.toString('latin1', pos, lineEnd).split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0) throw incomplete('bad chunk size');
    pos = lineEnd + CRLF.length;
    if (size === 0) break;
    if (pos + size > raw.length) throw incomplete('chunk shorter than announced');
    chunks.push(raw.subarray(pos, pos + size));
    pos += size;
    if (!raw.subarray(pos, pos + CRLF.length).equals(CRLF)) throw incomplete('chunk not followed by CRLF');
    pos += CRLF.length;
  }
  const trailers: Record<string, string> = {};
  while (pos < raw.length) {
    let lineEnd = raw.indexOf(CRLF, pos);
    if (lineEnd < 0) lineEnd = raw.length;
    const line = raw.toString('utf8', pos, lineEnd);
    pos = lineEnd + CRLF.length;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(chunks), trailers };
}

/** The request body as the object's bytes, with any trailers it carried. */
function requestPayload(headers: IncomingHttpHeaders, raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  if (!isAwsChunked(headers)) return { body: raw, trailers: {} };
  const decoded = decodeAwsChunked(raw);
  const declared = header(headers, 'x-amz-decoded-content-length');
  if (declared !== undefined && Number(declared) !== decoded.body.length) {
    throw incomplete(`decoded ${decoded.body.length} bytes, x-amz-decoded-content-length says ${declared}`);
  }
  return decoded;
}

export { decodeAwsChunked, header, isAwsChunked, requestPayload };
