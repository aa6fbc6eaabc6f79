/**
 * The saved listing positions (src/archive/cursors.ts) through their public functions against the
 * sandbox's S3: a cursor is given back while recent and of the selection it was saved for; an old,
 * damaged or foreign one is ignored (a longer listing, never an error); S3 failing is passed on.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  CURSOR_MAX_AGE_MS,
  clearFleetCursor,
  clearStreamCursor,
  fleetCursorKey,
  loadFleetCursor,
  loadStreamCursor,
  saveFleetCursor,
  saveStreamCursor,
  streamCursorKey,
} from '../../src/archive/cursors.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const GROUP = '/app/orders';
const setup = () => {
  const config = testConfig(sandbox);
  return { deps: testDeps(sandbox, config), config };
};

async function writeObject(key: string, body: string): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  } finally {
    destroy();
  }
}

describe('the saved listing positions', () => {
  it('give back a stream cursor up to its maximum age, and nothing once older or cleared', async () => {
    const { deps, config } = setup();
    const cursor = { logGroupName: GROUP, nextToken: 'page-3', streamsBefore: 100, weightBefore: 2.5 };
    await saveStreamCursor(deps, config, cursor);
    const saved = { ...cursor, schemaVersion: 1, savedAtMs: sandbox.clock.now() };
    expect(await loadStreamCursor(deps, config, GROUP)).toEqual(saved);
    expect(await loadStreamCursor(deps, config, '/app/other')).toBeUndefined();
    sandbox.clock.advance(CURSOR_MAX_AGE_MS);
    expect(await loadStreamCursor(deps, config, GROUP)).toEqual(saved);
    sandbox.clock.advance(1);
    expect(await loadStreamCursor(deps, config, GROUP)).toBeUndefined();

    await saveStreamCursor(deps, config, cursor);
    await clearStreamCursor(deps, config, GROUP);
    expect(await loadStreamCursor(deps, config, GROUP)).toBeUndefined();
  });

  it('give back the fleet cursor only for the selection it was saved for, and nothing once cleared', async () => {
    const { deps, config } = setup();
    await saveFleetCursor(deps, config, 'prefix:/app', { afterGroupName: GROUP, itemKey: 'p:/app', pageToken: 't' });
    expect(await loadFleetCursor(deps, config, 'prefix:/app')).toEqual({
      schemaVersion: 1,
      selection: 'prefix:/app',
      afterGroupName: GROUP,
      itemKey: 'p:/app',
      pageToken: 't',
      savedAtMs: sandbox.clock.now(),
    });
    expect(await loadFleetCursor(deps, config, 'prefix:/other')).toBeUndefined();
    await clearFleetCursor(deps, config);
    expect(await loadFleetCursor(deps, config, 'prefix:/app')).toBeUndefined();
  });

  it.each([
    ['does not parse', '{"schemaVersion":1,"logGroupName'],
    ['is of another shape', JSON.stringify({ schemaVersion: 2, logGroupName: GROUP, nextToken: 'x' })],
  ])('ignore a cursor that %s: the listing starts again', async (_name, body) => {
    const { deps, config } = setup();
    await writeObject(streamCursorKey(config.bucketPrefix, GROUP), body);
    await writeObject(fleetCursorKey(config.bucketPrefix), body);
    expect(await loadStreamCursor(deps, config, GROUP)).toBeUndefined();
    expect(await loadFleetCursor(deps, config, 'prefix:/app')).toBeUndefined();
  });

  it('pass on an S3 failure instead of taking it for a damaged cursor', async () => {
    const { deps, config } = setup();
    await saveStreamCursor(deps, config, { logGroupName: GROUP, nextToken: 'p', streamsBefore: 0, weightBefore: 0 });
    sandbox.injectFault({
      operation: 'GetObject',
      pathContains: '/state/cursors/',
      times: 10_000,
      error: { name: 'AccessDenied', message: 'Access Denied', status: 403 },
    });
    await expect(loadStreamCursor(deps, config, GROUP)).rejects.toBeDefined();
    sandbox.clearFaults();
    expect(await loadStreamCursor(deps, config, GROUP)).toMatchObject({ nextToken: 'p' });
  });
});
