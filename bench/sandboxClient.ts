/**
 * The benchmark side of sandboxProcess.ts: starts the sandbox in a child process and sends it
 * commands. Also how a benchmark starts its own worker processes (`forkTs`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SandboxOptions } from '@cwl-trim/sandbox';

/** Quiet the AWS SDK's "Node 20 support ends" notice: it would interleave with the figures. */
const CHILD_ENV = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Starts a TypeScript module of bench/ in a new Node process, through tsx, with an IPC channel. */
function forkTs(module: string, args: readonly string[], nodeArgs: readonly string[] = []): ChildProcess {
  const path = fileURLToPath(new URL(module, import.meta.url));
  return fork(path, [...args], {
    execArgv: ['--import', 'tsx', ...nodeArgs],
    env: CHILD_ENV,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

interface SandboxProcess {
  readonly endpoint: string;
  readonly region: string;
  request<T>(cmd: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  readonly id?: number;
  readonly ok?: boolean;
  readonly result?: unknown;
  readonly error?: string;
  readonly ready?: boolean;
  readonly endpoint?: string;
  readonly region?: string;
}

/**
 * Starts the sandbox in a child process with a heap large enough for a million-event stream held
 * twice (the old events and the re-put ones) and answers once it listens.
 *
 * @example
 * const sandbox = await startSandboxProcess({ latencyMs: { '*': [20, 50] } }, 'bench-archive');
 * await sandbox.request('seedFleet', { spec, nowMs });
 */
async function startSandboxProcess(options: SandboxOptions, bucket: string): Promise<SandboxProcess> {
  const child = forkTs('./sandboxProcess.ts', [JSON.stringify({ ...options, bucket })], ['--max-old-space-size=6144']);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<Reply>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code}) before it was ready`)));
    child.on('message', (message: Reply) => {
      if (message.ready) {
        resolve(message);
        return;
      }
      const pending = message.id === undefined ? undefined : waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id!);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(new Error(`sandbox process: ${message.error}`));
    });
  });
  child.on('exit', () => {
    for (const p of waiting.values()) p.reject(new Error('the sandbox process exited'));
    waiting.clear();
  });
  const started = await ready;
  const request = <T>(cmd: string, args?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, cmd, args });
    });
  return {
    endpoint: started.endpoint!,
    region: started.region!,
    request,
    async stop() {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await request('stop').catch(() => undefined);
      // The server is closed; nothing else keeps the child alive, but do not wait on a stuck one.
      const timer = setTimeout(() => child.kill(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export { CHILD_ENV, forkTs, startSandboxProcess };
export type { SandboxProcess };
