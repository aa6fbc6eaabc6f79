/**
 * The late-writer catch-up (src/archive/catchUp.ts) in detail, against the sandbox: which events of a
 * range it archives (ingested at or after the threshold, not held by the covering export's objects of
 * this stream), the key and line format it writes (what `cwl-trim archive cat` and Athena read), its
 * manifest, the read-back that must stop the stream from being touched, an empty catch-up, a redo,
 * pagination, unmasking and its log line.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { sandboxClients, TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';
import { PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, describe, expect, it } from 'vitest';
import { catchUpKeptStreams, catchUpStream } from '../../src/archive/catchUp.js';
import { createClients } from '../../src/aws/clients.js';
import { MS_PER_HOUR, MS_PER_DAY } from '../../src/constants.js';
import type { Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import type { CatchUpRange, GroupPlan, StreamPlan } from '../../src/plan/planTypes.js';
import { runCwlTrim } from '../../src/run.js';
import type { StreamInfo } from '../../src/types.js';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, seedOrders, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = '2026/11/01/[$LATEST]abc';
const DEST = `cwl-archive/exports/~app~orders/range`;
const TASK = 'task-1';

let now: number;
let range: CatchUpRange;
let stream: StreamInfo;
let lines: Record<string, unknown>[];
let deps: Deps;

const iso = (ms: number): string => new Date(ms).toISOString();
const line = (e: { timestamp: number; message: string }): string => `${iso(e.timestamp)} ${e.message}`;
const gz = (ls: readonly string[]): Buffer => gzipSync(ls.map((l) => `${l}\n`).join(''));

/** The object key and prefix a catch-up of `STREAM` over `range` must write. */
const lateDest = (): string =>
  `cwl-archive/exports/~app~orders/late/${encodeURIComponent(STREAM)}-${stream.creationTimeMs}/${TASK}`;
const lateKey = (): string => `${lateDest()}/late-events/${STREAM}/000000.gz`;
const lateObjects = () => sandbox.objects(BUCKET, 'cwl-archive/exports/~app~orders/late/');
const linesOf = (body: Buffer): string[] => gunzipSync(body).toString('utf8').split('\n');

function makeDeps(options: Parameters<typeof testDeps>[2] = {}, config = testConfig(sandbox)): Deps {
  lines = [];
  return testDeps(sandbox, config, {
    logger: createLogger({
      level: 'debug',
      runId: 't',
      destination: { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
    }),
    ...options,
  });
}

/** The covering export's manifest and objects, as writeExportManifest leaves them. */
function seedExport(objects: readonly { key: string; body: Buffer }[]): void {
  sandbox.seedObjects(BUCKET, objects);
  const manifest = { objects: objects.map((o) => ({ key: o.key, size: o.body.length })) };
  sandbox.seedObjects(BUCKET, [{ key: `${DEST}/manifest.json`, body: Buffer.from(JSON.stringify(manifest)) }]);
}

beforeEach(() => {
  now = sandbox.clock.now();
  const fromMs = now - 10 * MS_PER_DAY;
  range = {
    fromMs,
    toMs: fromMs + MS_PER_DAY - 1,
    ingestedFromMs: fromMs + MS_PER_DAY + MS_PER_HOUR,
    taskId: TASK,
    destinationPrefix: DEST,
  };
  stream = { logStreamName: STREAM, creationTimeMs: now - 20 * MS_PER_DAY };
  sandbox.seedGroup(GROUP, { creationTimeMs: now - 30 * MS_PER_DAY });
  deps = makeDeps();
});

describe('catchUpStream: what it archives and how', () => {
  const late = (dt: number, message: string, ingestion = range.ingestedFromMs + MS_PER_HOUR): SeedEvent => ({
    timestamp: range.fromMs + dt,
    message,
    ingestionTime: ingestion,
  });

  it('archives the late events the export of this stream does not hold, as export lines, with a manifest and a log line', async () => {
    const before = { timestamp: range.fromMs - 1, message: 'before the range', ingestionTime: range.ingestedFromMs };
    const atFromHeld = late(0, 'at the range start, held by the export');
    const onTime = late(MS_PER_HOUR, 'ingested on time', range.fromMs + MS_PER_HOUR);
    const atThreshold = late(2 * MS_PER_HOUR, 'ingested exactly at the threshold', range.ingestedFromMs);
    const elsewhere = late(3 * MS_PER_HOUR, 'also in another stream and another task');
    const held = late(4 * MS_PER_HOUR, 'held by the export');
    const twice = late(5 * MS_PER_HOUR, 'written twice, exported once');
    const atToHeld = late(MS_PER_DAY - 1, 'at the range end, held by the export');
    const atTo = late(MS_PER_DAY - 1, 'at the range end, late');
    const after = { timestamp: range.toMs + 1, message: 'after the range', ingestionTime: range.ingestedFromMs };
    sandbox.seedStream(
      GROUP,
      STREAM,
      [before, atFromHeld, onTime, atThreshold, elsewhere, held, twice, twice, atToHeld, atTo, after],
      { creationTimeMs: stream.creationTimeMs },
    );
    seedExport([
      {
        key: `${DEST}/${TASK}/${STREAM}/000000.gz`,
        body: gz([line(before), line(atFromHeld), line(onTime), line(held), line(twice), line(atToHeld), line(after)]),
      },
      // Another stream's object and another task's (same id length) hold the same event: not this export of this stream.
      { key: `${DEST}/${TASK}/other/000000.gz`, body: gz([line(elsewhere)]) },
      { key: `${DEST}/task-2/${STREAM}/000000.gz`, body: gz([line(elsewhere)]) },
    ]);

    const result = await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range]);

    expect(result).toEqual({ events: 4, objects: 1 });
    const written = lateObjects();
    expect(written.map((o) => o.key).sort()).toEqual([lateKey(), `${lateDest()}/manifest.json`].sort());
    const object = written.find((o) => o.key === lateKey())!;
    expect(linesOf(object.body)).toEqual([line(atThreshold), line(elsewhere), line(twice), line(atTo), '']);
    const head = await deps.clients.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: lateKey() }));
    expect({ type: head.ContentType, encoding: head.ContentEncoding }).toEqual({
      type: 'text/plain',
      encoding: 'gzip',
    });
    const manifest = JSON.parse(written.find((o) => o.key.endsWith('/manifest.json'))!.body.toString('utf8'));
    expect(manifest).toEqual({
      kind: 'late-events',
      logGroupName: GROUP,
      logStreamName: STREAM,
      fromMs: range.fromMs,
      toMs: range.toMs,
      taskId: 'late-events',
      coveringTaskId: TASK,
      destinationPrefix: lateDest(),
      ingestedFromMs: range.ingestedFromMs,
      objectCount: 1,
      bytes: object.body.length,
      events: 4,
      verifiedAtMs: now,
      objects: [{ key: lateKey(), size: object.body.length, etag: object.etag }],
    });
    expect(lines.filter((l) => l.msg === 'late events archived')).toEqual([
      expect.objectContaining({ level: 'info', logGroupName: GROUP, logStreamName: STREAM, events: 4, key: lateKey() }),
    ]);
  });

  it('a large export (its manifest in parts): the events its objects of this stream hold are not archived again', async () => {
    const held = late(0, 'late but exported');
    const other = late(MS_PER_HOUR, 'late, not exported');
    sandbox.seedStream(GROUP, STREAM, [held, other], { creationTimeMs: stream.creationTimeMs });
    const before = `${DEST}/${TASK}/2026/01/01/a/000000.gz`;
    const mine = `${DEST}/${TASK}/${STREAM}/000000.gz`;
    const after = `${DEST}/${TASK}/zzz/000000.gz`;
    const part = (n: number, keys: string[]) => ({
      key: `${DEST}/manifest-parts/0000${n}.json`,
      body: Buffer.from(JSON.stringify({ objects: keys.map((key) => ({ key, size: 1 })) })),
    });
    const parts = [part(0, [before]), part(1, [mine, after])];
    sandbox.seedObjects(BUCKET, [
      { key: before, body: gz([]) },
      { key: mine, body: gz([line(held)]) },
      { key: after, body: gz([]) },
      ...parts,
      {
        key: `${DEST}/manifest.json`,
        body: Buffer.from(
          JSON.stringify({
            parts: [
              { key: parts[0]!.key, first: before, last: before, count: 1 },
              { key: parts[1]!.key, first: mine, last: after, count: 2 },
            ],
          }),
        ),
      },
    ]);
    sandbox.clearCalls();

    expect(await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range])).toEqual({ events: 1, objects: 1 });
    expect(linesOf(lateObjects().find((o) => o.key === lateKey())!.body)).toEqual([line(other), '']);
    // Only the part whose key range holds this stream is read.
    const read = sandbox.calls.filter((c) => c.operation === 'GetObject').map((c) => (c.input as { Key: string }).Key);
    expect(read).not.toContain(parts[0]!.key);
  });

  it('reads a listed object without .gz as plain text', async () => {
    const held = late(0, 'held by a plain object');
    const other = late(MS_PER_HOUR, 'not held');
    sandbox.seedStream(GROUP, STREAM, [held, other], { creationTimeMs: stream.creationTimeMs });
    seedExport([{ key: `${DEST}/${TASK}/${STREAM}/000000`, body: Buffer.from(`${line(held)}\n`) }]);

    expect(await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range])).toEqual({ events: 1, objects: 1 });
    expect(linesOf(lateObjects().find((o) => o.key === lateKey())!.body)).toEqual([line(other), '']);
  });

  it('reads every page of a range from its head, unmasked when asked, with no manifest for the window', async () => {
    // Six events of 300 kB: more than GetLogEvents' 1 MB page.
    const big = Array.from({ length: 6 }, (_, i) =>
      late(i * MS_PER_HOUR, `event ${i} of user a@example.com card 4111111111111111 ${'x'.repeat(300_000)}`),
    );
    sandbox.reset();
    sandbox.createBucket(BUCKET);
    sandbox.seedGroup(GROUP, { creationTimeMs: now - 30 * MS_PER_DAY, dataProtection: true });
    sandbox.seedStream(GROUP, STREAM, big, { creationTimeMs: stream.creationTimeMs });
    const config = testConfig(sandbox, { unmask: true });

    const result = await catchUpStream(makeDeps({}, config), config, GROUP, stream, [range]);

    expect(result).toEqual({ events: 6, objects: 1 });
    expect(sandbox.countCalls('GetLogEvents')).toBeGreaterThan(2);
    expect(linesOf(lateObjects().find((o) => o.key === lateKey())!.body)).toEqual([...big.map(line), '']);
  });

  it('with no event ingested after the threshold: reads nothing from S3 and writes nothing', async () => {
    sandbox.seedStream(GROUP, STREAM, [
      late(0, 'on time', range.fromMs),
      late(1, 'just before', range.ingestedFromMs - 1),
    ]);
    seedExport([]);
    sandbox.clearCalls();

    expect(await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range])).toEqual({ events: 0, objects: 0 });
    expect(sandbox.countCalls('GetObject')).toBe(0);
    expect(sandbox.countCalls('PutObject')).toBe(0);
    expect(lines.filter((l) => l.msg === 'late events archived')).toEqual([]);
  });

  it('when the export held every late event: writes nothing and logs nothing', async () => {
    const held = [late(0, 'late but exported'), late(MS_PER_HOUR, 'late and exported too')];
    sandbox.seedStream(GROUP, STREAM, held, { creationTimeMs: stream.creationTimeMs });
    seedExport([{ key: `${DEST}/${TASK}/${STREAM}/000000.gz`, body: gz(held.map(line)) }]);
    sandbox.clearCalls();

    expect(await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range])).toEqual({ events: 0, objects: 0 });
    expect(lateObjects()).toEqual([]);
    expect(sandbox.countCalls('PutObject')).toBe(0);
    expect(lines.filter((l) => l.msg === 'late events archived')).toEqual([]);
  });

  it('a redo rewrites the same object and manifest, with the superset when more arrived', async () => {
    sandbox.seedStream(GROUP, STREAM, [late(0, 'first')], { creationTimeMs: stream.creationTimeMs });
    await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range]);
    const first = lateObjects();
    expect(await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range])).toEqual({ events: 1, objects: 1 });
    expect(lateObjects().map((o) => [o.key, o.etag])).toEqual(first.map((o) => [o.key, o.etag]));

    sandbox.seedStream(GROUP, STREAM, [late(MS_PER_HOUR, 'second')], {
      creationTimeMs: stream.creationTimeMs,
    });
    expect(await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range])).toEqual({ events: 2, objects: 1 });
    const again = lateObjects();
    expect(again.map((o) => o.key)).toEqual(first.map((o) => o.key));
    expect(linesOf(again.find((o) => o.key === lateKey())!.body)).toHaveLength(3);
  });

  it('counts the objects and events of every range', async () => {
    const second: CatchUpRange = {
      ...range,
      fromMs: range.toMs + 1,
      toMs: range.toMs + MS_PER_DAY,
      taskId: 'task-9',
    };
    sandbox.seedStream(
      GROUP,
      STREAM,
      [late(0, 'in the first'), late(MS_PER_DAY, 'in the second'), late(MS_PER_DAY + 1, 'too')],
      {
        creationTimeMs: stream.creationTimeMs,
      },
    );
    expect(await catchUpStream(deps, testConfig(sandbox), GROUP, stream, [range, second])).toEqual({
      events: 3,
      objects: 2,
    });
    expect(lateObjects().filter((o) => o.key.endsWith('.gz'))).toHaveLength(2);
  });
});

/** S3 clients whose catch-up objects another writer overwrites with one line right after they are put. */
function overwrittenLateObjects(config: ReturnType<typeof testConfig>) {
  const clients = createClients(config, { credentials: TEST_CREDENTIALS });
  const real = clients.s3;
  const s3 = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: Parameters<S3Client['send']>[0]) => {
        const out = await target.send(command);
        const key = command instanceof PutObjectCommand ? command.input.Key : undefined;
        if (key?.includes('/late/') && key.endsWith('.gz'))
          sandbox.seedObjects(BUCKET, [{ key, body: gz(['2026-01-01T00:00:00.000Z someone else']) }]);
        return out;
      };
    },
  });
  return { ...clients, s3 };
}

describe('catch-up read-back', () => {
  it('an object that reads back with another count: an error naming it, no manifest', async () => {
    sandbox.seedStream(
      GROUP,
      STREAM,
      [0, 1, 2].map((i) => ({
        timestamp: range.fromMs + i,
        message: `late ${i}`,
        ingestionTime: range.ingestedFromMs,
      })),
      { creationTimeMs: stream.creationTimeMs },
    );
    const config = testConfig(sandbox);
    const failing = makeDeps({ clients: overwrittenLateObjects(config) }, config);

    const error = await catchUpStream(failing, config, GROUP, stream, [range]).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'ExportVerificationError',
      code: 'EXPORT_NOT_VERIFIED',
      message: `the late events of ${STREAM} read back from s3://${BUCKET}/${lateKey()} are 1, not 3; the stream is left as it is`,
    });
    expect(lateObjects().map((o) => o.key)).toEqual([lateKey()]);
    expect(lines.filter((l) => l.msg === 'late events archived')).toEqual([]);
  });

  it('in a run: the stream whose catch-up does not read back is left with every event', async () => {
    seedOrders(sandbox);
    const config = testConfig(sandbox, { days: 7, forceRebuild: true });
    await runCwlTrim(config, testDeps(sandbox, config));
    const name = 'straddling';
    // A producer writes 5 events 12 days old into the window the first run exported (CloudWatch stamps them now).
    const logs = sandboxClients(sandbox.endpoint, sandbox.region);
    const t = sandbox.clock.now() - 12 * MS_PER_DAY;
    for (let i = 0; i < 5; i++) {
      const logEvents = [{ timestamp: t + i * MS_PER_HOUR, message: `late ${i}` }];
      await logs.logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: name, logEvents }));
    }
    logs.destroy();
    sandbox.clock.advance(MS_PER_DAY);
    const written = sandbox.events(GROUP, name);

    const second = await runCwlTrim(config, makeDeps({ clients: overwrittenLateObjects(config) }, config));

    const result = second.result?.groups[0]?.streams.find((s) => s.logStreamName === name);
    expect(result).toMatchObject({ action: 'rebuild', outcome: 'failed' });
    expect(result?.detail).toMatch(/^the late events of straddling read back from s3:\/\/archive\/.* are 1, not 5;/);
    expect(sandbox.events(GROUP, name)).toEqual(written);
  });
});

describe('catchUpKeptStreams', () => {
  const plan = (logStreamName: string, action: StreamPlan['action'], catchUp?: CatchUpRange[]): StreamPlan =>
    ({
      logStreamName,
      action,
      snapshot: { logStreamName, creationTimeMs: now - 20 * MS_PER_DAY },
      ...(catchUp ? { catchUp } : {}),
    }) as unknown as StreamPlan;

  it('catches up only the kept streams with ranges, and returns their events', async () => {
    const seed = (name: string, n: number) =>
      sandbox.seedStream(
        GROUP,
        name,
        Array.from({ length: n }, (_, i) => ({
          timestamp: range.fromMs + i,
          message: `${name} ${i}`,
          ingestionTime: range.ingestedFromMs,
        })),
        { creationTimeMs: now - 20 * MS_PER_DAY },
      );
    seed('kept', 2);
    seed('kept-too', 3);
    seed('deleted', 4);
    seed('no-ranges', 5);
    seed('empty-ranges', 6);
    const group = {
      logGroupName: GROUP,
      streams: [
        plan('no-ranges', 'keep'),
        plan('kept', 'keep', [range]),
        plan('deleted', 'delete', [range]),
        plan('empty-ranges', 'keep', []),
        plan('kept-too', 'keep', [range]),
      ],
    } as unknown as GroupPlan;

    expect(await catchUpKeptStreams(deps, testConfig(sandbox), group)).toBe(5);
    expect(
      lateObjects()
        .filter((o) => o.key.endsWith('.gz'))
        .map((o) => o.key.split('/').at(-2)),
    ).toEqual(['kept', 'kept-too']);
  });
});
