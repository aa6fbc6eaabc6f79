/**
 * The shape S3 handlers work on: a parsed path-style request in, a status/headers/body out.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxState } from '../state.js';

interface S3Request {
  readonly method: string;
  /** First path segment, decoded; undefined for `/`. */
  readonly bucket?: string;
  /** The rest of the path, decoded; undefined when the path names only a bucket. */
  readonly key?: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

interface S3Response {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

type S3Handler = (state: SandboxState, req: S3Request) => S3Response;

/** An XML 200 answer. */
const xmlResponse = (body: string, status = 200): S3Response => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body,
});

export { xmlResponse };
export type { S3Handler, S3Request, S3Response };
