/**
 * End to end against moto, an emulator we did not write: cwl-trim archives a group, deletes its
 * expired stream and rebuilds the straddling one, and the stream then holds exactly its events from
 * the cutoff on while the archive holds every earlier one. moto's exports are copied into AWS's
 * layout by a test-only helper (see motoExportLayout.ts). moto's clock is the real one and its group is
 * created now, while an export may not end before the group's creation: cwl-trim's clock runs 25 h
 * ahead (DAYS=1 puts the cutoff 1 h after the real now, past the quiet time and the 12 h export lag),
 * and the straddling stream's newest events are up to 90 min ahead, which PutLogEvents still takes.
 */
import { gunzipSync } from 'node:zlib';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../../src/constants.js';
import { createDeps } from '../../src/createDeps.js';
import { createLogger } from '../../src/logger.js';
import { runCwlTrim } from '../../src/run.js';
import { configFactory } from '../helpers/factories.js';
import { withAwsExportLayout } from '../helpers/motoExportLayout.js';
import { TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';
import { motoAvailable, startMoto, type MotoServer } from './moto.js';

const BUCKET = 'archive';
const GROUP = '/e2e/orders';
const STRADDLING = '2026/12/01/[$LATEST]straddling';
const EXPIRED = 'expired';
const AHEAD_MS = 25 * MS_PER_HOUR;

interface Ev {
  timestamp: number;
  message: string;
}
const key = (e: Ev): string => `${e.timestamp} ${e.message}`;

describe.skipIf(!motoAvailable())('an end-to-end rebuild against moto', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('archives, deletes the expired stream, rebuilds the straddling one: nothing lost, nothing twice', async () => {
    const config = configFactory({
      bucket: BUCKET,
      endpointUrl: moto.endpoint,
      region: 'us-east-1',
      days: 1,
      forceRebuild: true,
      selection: { names: [GROUP], prefixes: [], excludePrefixes: [] },
    });
    const clients = createClients(config, { credentials: TEST_CREDENTIALS });
    const copied = withAwsExportLayout(clients.logs, clients.s3);
    const realNow = Math.floor(Date.now() / 1_000) * 1_000; // moto exports whole seconds
    await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    const seeded = new Map<string, Ev[]>();
    const seed = async (stream: string, fromMs: number, toMs: number): Promise<void> => {
      await clients.logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
      const events: Ev[] = [];
      for (let t = fromMs; t < toMs; t += 10 * MS_PER_MINUTE)
        events.push({ timestamp: t, message: `${stream} at ${t}` });
      for (let i = 0; i < events.length; i += 100) {
        const batch = events.slice(i, i + 100);
        await clients.logs.send(
          new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: batch }),
        );
      }
      seeded.set(stream, events);
    };
    await seed(STRADDLING, realNow - 3 * MS_PER_DAY, realNow + 90 * MS_PER_MINUTE);
    await seed(EXPIRED, realNow - 5 * MS_PER_DAY, realNow - 4 * MS_PER_DAY);

    const deps = createDeps(config, {
      clients,
      clock: { now: () => Date.now() + AHEAD_MS },
      logger: createLogger({ level: 'silent', runId: 'moto' }),
      exportPoll: { initialMs: 5, maxMs: 40, factor: 1.5 },
      exportSlot: { initialMs: 5, maxMs: 40, factor: 1.5 },
    });
    const { plan, result } = await runCwlTrim(config, deps);

    const actions = Object.fromEntries(
      plan.groups[0]!.streams.map((s) => [s.logStreamName, `${s.action}:${s.reason}`]),
    );
    expect(actions).toEqual({ [STRADDLING]: 'rebuild:straddling', [EXPIRED]: 'delete:expired' });
    expect(result?.outcome).toBe('done');
    expect(copied.copied).toBeGreaterThan(0);
    const streams = await clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    expect((streams.logStreams ?? []).map((s) => s.logStreamName)).toEqual([STRADDLING]);

    // The stream holds exactly its events from the cutoff on, each once.
    const kept: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await clients.logs.send(
        new GetLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: STRADDLING,
          startFromHead: true,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      kept.push(...(page.events ?? []).map((e) => key({ timestamp: e.timestamp ?? 0, message: e.message ?? '' })));
      if (!page.nextForwardToken || page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    const all = [...seeded.values()].flat();
    expect(kept.sort()).toEqual(
      seeded
        .get(STRADDLING)!
        .filter((e) => e.timestamp >= plan.cutoffMs)
        .map(key)
        .sort(),
    );

    // The archive (AWS layout, under this run's task) holds every event before the cutoff.
    const taskId = result!.groups[0]!.exports[0]!.taskId!;
    const listed = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${config.bucketPrefix}/` }),
    );
    const archived: string[] = [];
    for (const o of listed.Contents ?? []) {
      if (!o.Key?.includes(`/${taskId}/`) || !o.Key.endsWith('.gz')) continue;
      const stream = o.Key.slice(o.Key.indexOf(`/${taskId}/`) + taskId.length + 2, o.Key.lastIndexOf('/'));
      const body = await clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key }));
      const text = gunzipSync(Buffer.from(await body.Body!.transformToByteArray())).toString('utf8');
      for (const line of text.split('\n').filter((l) => l !== '')) {
        const space = line.indexOf(' ');
        archived.push(key({ timestamp: Date.parse(line.slice(0, space)), message: line.slice(space + 1) }));
        expect(line.slice(space + 1).startsWith(stream)).toBe(true);
      }
    }
    expect(archived.sort()).toEqual(
      all
        .filter((e) => e.timestamp < plan.cutoffMs)
        .map(key)
        .sort(),
    );
  });
});
