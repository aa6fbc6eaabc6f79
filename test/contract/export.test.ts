/**
 * Contract: export tasks, from seeding history to reading the gzip objects back, on the sandbox
 * and on moto.
 */
import { gunzipSync } from 'node:zlib';
import {
  CancelExportTaskCommand,
  CreateExportTaskCommand,
  CreateLogGroupCommand,
  DescribeExportTasksCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { CreateExportTaskCommandInput, ExportTask } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeEach, expect, it } from 'vitest';
import { MS_PER_DAY, MS_PER_HOUR } from '../../src/constants.js';
import { eventually, expectAwsError } from '@cwl-trim/sandbox/testing';
import { describeContract, motoDeviation } from './targets.js';
import type { ContractTarget, HistoryEvent } from './targets.js';

const GROUP = '/contract/export';
const BUCKET = 'contract-archive';
const PREFIX = 'exports';
/** Stream names as Lambda writes them: with slashes. */
const STREAMS = ['2024/06/01/[$LATEST]abc', 'worker'] as const;

/** Whole seconds: moto writes `.000Z` whatever the milliseconds. */
const wholeSecond = (ms: number): number => Math.floor(ms / 1_000) * 1_000;

function history(stream: string, fromMs: number, days: number): HistoryEvent[] {
  const everyMs = 6 * MS_PER_HOUR;
  return Array.from({ length: Math.floor((days * MS_PER_DAY) / everyMs) }, (_, i) => ({
    timestamp: fromMs + i * everyMs,
    message: `${stream} #${i} ${i % 2 === 0 ? 'GET /health 200' : 'POST /orders 201'}`,
  }));
}

async function settled(t: ContractTarget, taskId: string | undefined): Promise<ExportTask> {
  return eventually(async () => {
    const res = await t.logs.send(new DescribeExportTasksCommand({ taskId }));
    const task = res.exportTasks?.[0];
    return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(task?.status?.code ?? '') ? task : undefined;
  });
}

/** Every `.gz` object under the prefix, gunzipped: keys and lines. */
async function readBack(t: ContractTarget, prefix: string): Promise<{ keys: string[]; lines: string[] }> {
  const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  const keys = (listed.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.endsWith('.gz'));
  const lines: string[] = [];
  for (const Key of keys) {
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
    const text = gunzipSync(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toString('utf8');
    lines.push(...text.split('\n').filter((l) => l !== ''));
  }
  return { keys, lines };
}

describeContract('export to S3', (target, name) => {
  const spanDays = name === 'sandbox' ? 30 : 13; // moto: history only through PutLogEvents, ≤ 14 days old
  const create = (input: Partial<CreateExportTaskCommandInput> = {}) =>
    target().logs.send(
      new CreateExportTaskCommand({
        logGroupName: GROUP,
        from: 0,
        to: Date.now(),
        destination: BUCKET,
        destinationPrefix: PREFIX,
        ...input,
      }),
    );

  beforeEach(async () => {
    await target().s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await target().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  });

  it(`exports a group whose events span ${spanDays} days and reads every event back from the gzip objects (moto: 13 days, PutLogEvents refuses older history)`, async () => {
    const t = target();
    const fromMs = wholeSecond(Date.now() - spanDays * MS_PER_DAY + MS_PER_HOUR);
    const expected: string[] = [];
    for (const stream of STREAMS) {
      const events = history(stream, fromMs, spanDays);
      await t.seedHistory(GROUP, stream, events);
      expected.push(...events.map((e) => `${new Date(e.timestamp).toISOString()} ${e.message}`));
    }
    const { taskId } = await create({ from: fromMs, to: Date.now() });
    const task = await settled(t, taskId);
    expect(task.status?.code).toBe('COMPLETED');
    const { keys, lines } = await readBack(t, `${PREFIX}/`);
    expect(keys.length).toBeGreaterThanOrEqual(STREAMS.length);
    expect(lines.sort()).toEqual(expected.sort());
  });

  it.skipIf(motoDeviation(name))(
    'lays objects out as <prefix>/<taskId>/<stream>/000000.gz with the marker at <prefix>/aws-logs-write-test (moto: <prefix>/<random id>/<stream with / → ->/000000.gz, marker at the bucket root)',
    async () => {
      const t = target();
      const now = Date.now();
      for (const stream of STREAMS) await t.seedHistory(GROUP, stream, [{ timestamp: now - 60_000, message: 'x' }]);
      const { taskId } = await create();
      await settled(t, taskId);
      const listed = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(
        [`${PREFIX}/aws-logs-write-test`, ...STREAMS.map((s) => `${PREFIX}/${taskId}/${s}/000000.gz`)].sort(),
      );
    },
  );

  it.skipIf(motoDeviation(name))(
    'exports `from` and `to` inclusive with millisecond timestamps (moto: writes .000Z)',
    async () => {
      const t = target();
      const now = Date.now(); // after the group's creation: `to` may not precede it
      const at = [now + 1_001, now + 2_001, now + 3_001];
      await t.seedHistory(
        GROUP,
        'worker',
        at.map((timestamp, i) => ({ timestamp, message: `m${i}` })),
      );
      const { taskId } = await create({ from: at[0], to: at[2] });
      await settled(t, taskId);
      expect((await readBack(t, `${PREFIX}/`)).lines.sort()).toEqual(
        at.map((ts, i) => `${new Date(ts).toISOString()} m${i}`),
      );
    },
  );

  it.skipIf(motoDeviation(name))('exports more than 10,000 events of one stream (moto: stops at 10,000)', async () => {
    const t = target();
    const start = Date.now() + 1_000; // after the group's creation, within the +2 h PutLogEvents accepts
    await t.seedHistory(
      GROUP,
      'worker',
      Array.from({ length: 10_050 }, (_, i) => ({ timestamp: start + i, message: `n${i}` })),
    );
    const { taskId } = await create({ from: start, to: start + 20_000 });
    await settled(t, taskId);
    expect((await readBack(t, `${PREFIX}/`)).lines).toHaveLength(10_050);
  });

  it.skipIf(motoDeviation(name))(
    'runs asynchronously, PENDING first (moto: completes within the create call)',
    async () => {
      const t = target();
      const { taskId } = await create();
      const res = await t.logs.send(new DescribeExportTasksCommand({ taskId }));
      expect(['PENDING', 'RUNNING']).toContain(res.exportTasks?.[0]?.status?.code);
      expect((await settled(t, taskId)).status?.code).toBe('COMPLETED');
    },
  );

  it.skipIf(motoDeviation(name))('allows one active export task per account (moto: no limit)', async () => {
    const t = target();
    const first = await create();
    const err = await expectAwsError(create(), 'LimitExceededException');
    expect(err.message).toMatch(/Resource limit exceeded/);
    await t.logs.send(new CancelExportTaskCommand({ taskId: first.taskId }));
  });

  it.skipIf(motoDeviation(name))('filters DescribeExportTasks by statusCode (moto: ignores the filter)', async () => {
    const t = target();
    await settled(t, (await create()).taskId);
    const running = await t.logs.send(new DescribeExportTasksCommand({ statusCode: 'RUNNING' }));
    const completed = await t.logs.send(new DescribeExportTasksCommand({ statusCode: 'COMPLETED' }));
    expect(running.exportTasks).toEqual([]);
    expect(completed.exportTasks).toHaveLength(1);
  });

  it.skipIf(motoDeviation(name))('refuses `to` before `from` (moto: accepts it)', async () => {
    await expectAwsError(create({ from: Date.now(), to: Date.now() - MS_PER_HOUR }), 'InvalidParameterException');
  });
});
