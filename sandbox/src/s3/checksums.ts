/**
 * Integrity checks on uploads: Content-MD5 and the flexible checksums (`x-amz-checksum-*`, sent as
 * a header or as an aws-chunked trailer). A mismatch is refused as S3 refuses it; it also proves
 * the sandbox decoded the body the client meant.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import { ServiceError } from '../errors.js';
import { header } from './awsChunked.js';

/** Algorithms the sandbox can recompute with node builtins; others (CRC32C, CRC64NVME) are kept unchecked. */
const COMPUTABLE: Readonly<Record<string, (body: Buffer) => string>> = {
  'x-amz-checksum-crc32': (body) => {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(body) >>> 0);
    return out.toString('base64');
  },
  'x-amz-checksum-sha1': (body) => createHash('sha1').update(body).digest('base64'),
  'x-amz-checksum-sha256': (body) => createHash('sha256').update(body).digest('base64'),
};

const CHECKSUM_NAMES = [
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
] as const;

const badDigest = (what: string): ServiceError =>
  new ServiceError('BadDigest', `The ${what} you specified did not match the calculated checksum.`);

/** Verifies what can be verified and returns the checksums to keep with the object. */
function verifyUpload(
  headers: IncomingHttpHeaders,
  trailers: Readonly<Record<string, string>>,
  body: Buffer,
): Record<string, string> {
  const md5 = header(headers, 'content-md5');
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) badDigestThrow('Content-MD5');
  const kept: Record<string, string> = {};
  for (const name of CHECKSUM_NAMES) {
    const sent = trailers[name] ?? header(headers, name);
    if (sent === undefined) continue;
    const compute = COMPUTABLE[name];
    if (compute && compute(body) !== sent) badDigestThrow(name.replace('x-amz-checksum-', '').toUpperCase());
    kept[name] = sent;
  }
  return kept;
}

function badDigestThrow(what: string): never {
  throw badDigest(what);
}

export { verifyUpload };
