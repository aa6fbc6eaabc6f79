/**
 * The sandbox's one HTTP server: CloudWatch Logs (JSON 1.1, `X-Amz-Target: Logs_20140328.*`),
 * S3 (path-style) and Lambda Invoke on the same endpoint. Every request goes through one pipeline:
 * record the call, wait the configured latency, apply a planned fault, apply the quota, answer.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isMutating, type CallLog } from './callLog.js';
import { ServiceError } from './errors.js';
import type { Knobs } from './knobs.js';
import { lambdaReply, parseLambdaInvoke } from './lambda.js';
import { LOGS_HANDLERS, LOGS_TARGET_PREFIX } from './logs/handlers.js';
import { routeS3 } from './s3/router.js';
import { errorDocument } from './s3/xml.js';
import type { SandboxState } from './state.js';
import type { Timers } from './timers.js';
import type { FaultSpec, ServiceName } from './types.js';

interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

interface Route {
  readonly service: ServiceName;
  readonly operation: string;
  readonly input: unknown;
  /** Runs the operation; throws a ServiceError to answer with an AWS error. */
  readonly run: () => Reply;
}

interface ServerDeps {
  readonly state: SandboxState;
  readonly knobs: Knobs;
  readonly calls: CallLog;
  readonly timers: Timers;
}

/** HTTP status of well-known error names, when a fault does not give one. */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  ServiceUnavailableException: 503,
  ServiceUnavailable: 503,
  InternalFailure: 500,
  InternalError: 500,
  ServiceException: 500,
  SlowDown: 503,
  TooManyRequestsException: 429,
  AccessDenied: 403,
  AccessDeniedException: 400,
  NoSuchKey: 404,
  NoSuchBucket: 404,
  PreconditionFailed: 412,
};

const DEFAULT_FAULT: Readonly<Record<ServiceName, string>> = {
  logs: 'ServiceUnavailableException',
  s3: 'InternalError',
  lambda: 'ServiceException',
};

function faultError(service: ServiceName, fault: FaultSpec): ServiceError {
  const name = fault.error?.name ?? DEFAULT_FAULT[service];
  return new ServiceError(
    name,
    fault.error?.message ?? `Injected fault: ${name}`,
    fault.error?.status ?? ERROR_STATUS[name] ?? 400,
  );
}

function throttled(service: ServiceName): ServiceError {
  if (service === 's3') return new ServiceError('SlowDown', 'Please reduce your request rate.', 503);
  if (service === 'lambda') return new ServiceError('TooManyRequestsException', 'Rate exceeded', 429);
  return new ServiceError('ThrottlingException', 'Rate exceeded', 400);
}

function logsRoute(state: SandboxState, target: string, body: Buffer): Route {
  const operation = target.slice(LOGS_TARGET_PREFIX.length);
  let input: Record<string, unknown> = {};
  let parseError: ServiceError | undefined;
  try {
    input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } catch {
    parseError = new ServiceError('SerializationException', 'Start of structure or map found where not expected.');
  }
  const run = (): Reply => {
    if (parseError) throw parseError;
    const handler = LOGS_HANDLERS[operation];
    if (!handler) throw new ServiceError('UnknownOperationException', `Unknown operation ${operation}`);
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify(handler(state, input)),
    };
  };
  return { service: 'logs', operation, input, run };
}

function routeOf(state: SandboxState, req: IncomingMessage, body: Buffer): Route {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith(LOGS_TARGET_PREFIX)) return logsRoute(state, target, body);
  const invoke = parseLambdaInvoke(method, url, req.headers, body);
  if (invoke) return { service: 'lambda', operation: 'Invoke', input: invoke, run: () => lambdaReply(invoke) };
  const s3 = routeS3(method, url, req.headers, body);
  const run = (): Reply => {
    if (!s3.handler) throw new ServiceError('NotImplemented', `The sandbox does not implement ${s3.operation}`, 501);
    return s3.handler(state, s3.request);
  };
  return { service: 's3', operation: s3.operation, input: s3.input, run };
}

function errorReply(route: Route, method: string, err: ServiceError, requestId: string): Reply {
  if (route.service === 's3') {
    // HEAD answers carry no body: the SDK names the error from the status alone.
    if (method === 'HEAD') return { status: err.status };
    return {
      status: err.status,
      headers: { 'content-type': 'application/xml' },
      body: errorDocument(err.name, err.message, err.extra, requestId),
    };
  }
  const headers = {
    'content-type': route.service === 'logs' ? 'application/x-amz-json-1.1' : 'application/json',
    'x-amzn-errortype': err.name,
  };
  return { status: err.status, headers, body: JSON.stringify({ __type: err.name, message: err.message }) };
}

function send(res: ServerResponse, reply: Reply, requestId: string, method: string): void {
  const body = reply.body ?? '';
  const headers: Record<string, string> = {
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
    ...reply.headers,
  };
  const noBody = method === 'HEAD' || reply.status === 204 || reply.status === 304;
  if (!noBody) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(noBody ? undefined : body);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function handle(
  deps: ServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  isStopped: () => boolean,
): Promise<void> {
  const body = await readBody(req);
  const method = req.method ?? 'GET';
  const requestId = randomUUID();
  const route = routeOf(deps.state, req, body);
  const record = deps.calls.record(route.service, route.operation, route.input, deps.state.clock.now());
  await deps.timers.sleep(deps.knobs.latencyFor(route.operation));
  if (isStopped()) return;
  // A stalled call is never answered: the caller hangs there until it gives up or is killed.
  const stall = deps.knobs.takeStall(record, isMutating(record));
  if (stall === 'before') return;
  const fault = deps.knobs.takeFault(route.operation, safeDecode((req.url ?? '/').split('?')[0] ?? '/'));
  if (fault?.drop) {
    record.error = 'Dropped';
    req.socket.destroy();
    return;
  }
  if (fault?.hang === 'before-applying') {
    record.error = 'Hung';
    return; // no answer; the socket is closed by the client's timeout or by stop()
  }
  const lost = fault?.dropResponse === true || fault?.hang === 'after-applying';
  let reply: Reply;
  try {
    if (fault?.throttle) throw throttled(route.service);
    if (fault && !lost) throw faultError(route.service, fault);
    if (!deps.knobs.allow(route.operation)) throw throttled(route.service);
    reply = route.run();
  } catch (err) {
    const error =
      err instanceof ServiceError ? err : new ServiceError('InternalFailure', `Sandbox bug: ${String(err)}`, 500);
    record.error = error.name;
    reply = errorReply(route, method, error, requestId);
  }
  if (lost) {
    record.error = fault?.dropResponse ? 'ResponseDropped' : 'Hung';
    if (fault?.dropResponse) req.socket.destroy();
    return;
  }
  if (stall === 'after') return;
  send(res, reply, requestId, method);
}

/**
 * Starts listening on 127.0.0.1 only. `close()` resolves once the server and every socket are gone.
 */
async function listen(
  deps: ServerDeps,
  port: number,
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let stopped = false;
  const server = createServer((req, res) => {
    handle(deps, req, res, () => stopped).catch((err: unknown) => {
      if (!res.headersSent && !stopped)
        send(res, { status: 500, body: String(err) }, randomUUID(), req.method ?? 'GET');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const close = (): Promise<void> => {
    stopped = true;
    deps.timers.clearAll();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    return closed;
  };
  return { server, port: bound, close };
}

export { listen };
