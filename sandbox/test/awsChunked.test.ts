import { describe, expect, it } from 'vitest';
import { decodeAwsChunked, requestPayload } from '../src/s3/awsChunked.js';

const frame = (...parts: string[]): Buffer => Buffer.from(parts.join(''), 'latin1');

describe('decodeAwsChunked', () => {
  it('strips signed chunk framing (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
    const raw = frame(
      '5;chunk-signature=abc\r\nhello\r\n',
      '6;chunk-signature=def\r\n world\r\n',
      '0;chunk-signature=000\r\n\r\n',
    );
    expect(decodeAwsChunked(raw).body.toString()).toBe('hello world');
  });

  it('returns trailing headers of unsigned trailer uploads', () => {
    const raw = frame('3\r\nabc\r\n', '0\r\n', 'x-amz-checksum-crc32:NSRBwg==\r\n', '\r\n');
    expect(decodeAwsChunked(raw)).toEqual({
      body: Buffer.from('abc'),
      trailers: { 'x-amz-checksum-crc32': 'NSRBwg==' },
    });
  });

  it('keeps binary payloads that contain CRLF byte-exact', () => {
    const payload = Buffer.from([13, 10, 0, 255, 13, 10]);
    const raw = Buffer.concat([frame('6\r\n'), payload, frame('\r\n0\r\n\r\n')]);
    expect(decodeAwsChunked(raw).body.equals(payload)).toBe(true);
  });

  it('refuses a truncated body and a decoded length that does not match the header', () => {
    expect(() => decodeAwsChunked(frame('a\r\nshort'))).toThrow(/Content-Length/);
    const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '4' };
    expect(() => requestPayload(headers, frame('3\r\nabc\r\n0\r\n\r\n'))).toThrow(/decoded 3 bytes/);
  });

  it('leaves plain bodies alone', () => {
    expect(requestPayload({}, Buffer.from('3\r\nabc\r\n0\r\n\r\n')).body.toString()).toBe('3\r\nabc\r\n0\r\n\r\n');
  });
});
