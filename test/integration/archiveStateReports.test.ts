/**
 * What cwl-trim's own objects in S3 tell the operator when they are not what it expects, against the
 * sandbox: the log lines of an ignored cursor, the error naming a group state that is another group's,
 * a state write S3 refused, a checkpoint S3 fails to give back, and a stream tail shorter than saved.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { loadStreamCursor, streamCursorKey } from '../../src/archive/cursors.js';
import { stateKey } from '../../src/archive/keys.js';
import { loadGroupState, saveGroupState } from '../../src/archive/stateStore.js';
import { tailChangedSince } from '../../src/archive/streamTail.js';
import { checkpointKey, loadCheckpoint, saveCheckpoint } from '../../src/archive/verifyCheckpoint.js';
import { createLogger } from '../../src/logger.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, NOW, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

const setup = () => {
  const config = testConfig(sandbox);
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    runId: 't',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as LogLine) },
  });
  return { deps: testDeps(sandbox, config, { logger }), config, lines };
};

async function writeObject(key: string, body: string): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  } finally {
    destroy();
  }
}

const denied = { name: 'AccessDenied', message: 'Access Denied', status: 403 } as const;

describe('an ignored cursor', () => {
  it('is logged with the object, and the parse error, when it does not parse', async () => {
    const { deps, config, lines } = setup();
    const key = streamCursorKey(config.bucketPrefix, GROUP);
    await writeObject(key, '{"schemaVersion":1,"logGroupName');
    expect(await loadStreamCursor(deps, config, GROUP)).toBeUndefined();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'ignoring an unreadable cursor; listing from the start',
        bucket: BUCKET,
        key,
        err: expect.objectContaining({ type: 'StateCorruptError' }),
      }),
    ]);
  });

  it('is logged with the object and how many problems it has, when it is of another shape', async () => {
    const { deps, config, lines } = setup();
    const key = streamCursorKey(config.bucketPrefix, GROUP);
    // Another version, and three fields missing.
    await writeObject(key, JSON.stringify({ schemaVersion: 2, logGroupName: GROUP, nextToken: 'x' }));
    expect(await loadStreamCursor(deps, config, GROUP)).toBeUndefined();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        msg: 'ignoring a cursor of another shape; listing from the start',
        bucket: BUCKET,
        key,
        issues: 4,
      }),
    ]);
  });
});

describe('a group state', () => {
  it('that holds another group is refused, naming both groups, the object and the fix', async () => {
    const { deps, config } = setup();
    const key = stateKey(config.bucketPrefix, GROUP);
    await writeObject(key, JSON.stringify({ logGroupName: '/app/other', windows: [] }));
    await expect(loadGroupState(deps, config, GROUP)).rejects.toMatchObject({
      name: 'StateCorruptError',
      message:
        `s3://${BUCKET}/${key}: holds the state of /app/other, not of ${GROUP}. ` +
        "It holds the group's watermark and archived windows: restore an earlier version (S3 versioning), " +
        'or move it aside to have the group archived again from scratch (its exports stay in S3)',
    });
  });

  it('write S3 refuses is passed on, without a read back, even when the object already holds the same', async () => {
    const { deps, config } = setup();
    const ref = await loadGroupState(deps, config, GROUP);
    const next = { logGroupName: GROUP, windows: [], archivedThroughMs: 1_000 };
    await saveGroupState(deps, config, ref, next);
    const etag = ref.etag;
    sandbox.injectFault({ operation: 'PutObject', pathContains: '/state/groups/', error: denied });
    const reads = sandbox.countCalls('GetObject');
    await expect(saveGroupState(deps, config, ref, { ...next })).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(sandbox.countCalls('GetObject')).toBe(reads);
    expect(ref.etag).toBe(etag);
  });
});

describe("a large export's verification checkpoint", () => {
  const DEST = 'cwl-archive/exports/~app~orders/0-99';
  const checkpoint = {
    taskId: 'task-1',
    parts: [{ key: `${DEST}/manifest-parts/000001.json`, first: 'a', last: 'z', count: 2 }],
    objectCount: 2,
    bytes: 20,
  };

  it('S3 fails to give back is passed on, not taken for none (which would list every object again)', async () => {
    const { deps, config } = setup();
    await saveCheckpoint(deps, config.bucket, DEST, checkpoint);
    expect(await loadCheckpoint(deps, config.bucket, DEST, 'task-1')).toEqual(checkpoint);
    sandbox.injectFault({
      operation: 'GetObject',
      pathContains: checkpointKey(DEST),
      error: { name: 'NoSuchBucket', message: 'The specified bucket does not exist', status: 404 },
    });
    await expect(loadCheckpoint(deps, config.bucket, DEST, 'task-1')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('that does not parse is ignored: the listing starts again from the first key', async () => {
    const { deps, config } = setup();
    await writeObject(checkpointKey(DEST), '{"taskId":');
    expect(await loadCheckpoint(deps, config.bucket, DEST, 'task-1')).toBeUndefined();
  });
});

describe("a stream's tail before a rebuild deletes it", () => {
  it('that lacks saved events is reported as changed, not taken for unchanged', async () => {
    const { deps } = setup();
    const at = NOW - 60_000;
    sandbox.seedStream(GROUP, 'tail', [{ timestamp: at, message: 'a' }]);
    const saved = [
      { timestamp: at, message: 'a' },
      { timestamp: at, message: 'b' },
    ];
    const changed = await tailChangedSince(
      deps,
      { logGroupName: GROUP, logStreamName: 'tail', cutoffMs: at - 1, lastEventMs: at, unmasked: false, batches: 1 },
      async () => saved,
    );
    expect(changed).toBe('events saved from the stream are no longer in it; left as it is');
  });
});
