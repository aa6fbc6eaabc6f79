/**
 * A minimal Lambda Invoke endpoint, so code that re-invokes itself (to continue a long run) can be
 * tested: the call is recorded, nothing runs.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** `POST /2015-03-31/functions/{FunctionName}/invocations`, as the SDK's InvokeCommand sends it. */
const LAMBDA_INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/;

interface LambdaInvoke {
  readonly functionName: string;
  readonly invocationType: string;
  readonly payload: unknown;
}

function parsePayload(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The invocation a request carries, or undefined when it is not a Lambda Invoke. */
function parseLambdaInvoke(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): LambdaInvoke | undefined {
  const m = method === 'POST' ? LAMBDA_INVOKE_PATH.exec(url) : null;
  if (!m) return undefined;
  const type = headers['x-amz-invocation-type'];
  return {
    functionName: decodeURIComponent(m[1] ?? ''),
    invocationType: (Array.isArray(type) ? type[0] : type) ?? 'RequestResponse',
    payload: parsePayload(body),
  };
}

/** Lambda answers 202 to an asynchronous (`Event`) invocation, 204 to `DryRun`, 200 otherwise. */
function lambdaReply(invoke: LambdaInvoke): { status: number; headers: Record<string, string>; body: string } {
  const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
  if (invoke.invocationType === 'Event') return { status: 202, headers, body: '' };
  if (invoke.invocationType === 'DryRun') return { status: 204, headers, body: '' };
  return { status: 200, headers, body: '{}' };
}

export { lambdaReply, parseLambdaInvoke };
export type { LambdaInvoke };
