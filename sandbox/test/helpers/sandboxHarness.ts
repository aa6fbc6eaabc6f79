/**
 * A sandbox per test file: started before the first test, reset before each, stopped after the
 * last; plus the real SDK clients pointed at it.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startSandbox } from '../../src/index.js';
import type { Sandbox, SandboxOptions } from '../../src/index.js';
import { TEST_CREDENTIALS, sandboxClients } from './sandboxClients.js';
import type { SandboxClients } from './sandboxClients.js';

interface SandboxHarness {
  readonly sandbox: Sandbox;
  readonly logs: SandboxClients['logs'];
  readonly s3: SandboxClients['s3'];
}

/**
 * Registers the hooks and returns live getters (valid inside tests).
 *
 * @example
 * const h = useSandbox({ quotasTps: false });
 * it('…', async () => { await h.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' })); });
 */
function useSandbox(options: SandboxOptions = {}): SandboxHarness {
  let sandbox: Sandbox | undefined;
  let clients: SandboxClients | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(options);
    clients = sandboxClients(sandbox.endpoint, sandbox.region);
  });
  beforeEach(() => {
    sandbox?.reset();
  });
  afterAll(async () => {
    clients?.destroy();
    await sandbox?.stop();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useSandbox: used outside a test');
    return value;
  };
  return {
    get sandbox() {
      return need(sandbox);
    },
    get logs() {
      return need(clients).logs;
    },
    get s3() {
      return need(clients).s3;
    },
  };
}

/** Awaits `promise`, expecting it to fail with the AWS error `name`; returns the error. */
async function expectAwsError(
  promise: Promise<unknown>,
  name: string,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${name}`).toBeInstanceOf(Error);
  expect((err as Error).name).toBe(name);
  return err as Error & { $metadata?: { httpStatusCode?: number } };
}

/** Polls `check` every 10 ms until it returns a value other than undefined (or `timeoutMs` passes). */
async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`eventually: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export { TEST_CREDENTIALS, eventually, expectAwsError, sandboxClients, useSandbox };
export type { SandboxClients, SandboxHarness };
