/**
 * A large export is written a slice of streams at a time (issue 11): the sandbox keeps answering
 * while a million-stream task writes its objects, as AWS does, and the task is COMPLETED only once
 * every object is there.
 */
import { CreateExportTaskCommand, DescribeExportTasksCommand } from '@aws-sdk/client-cloudwatch-logs';
import { setImmediate as turn } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
const MS_PER_DAY = 86_400_000;
import { eventually, useSandbox } from './helpers/sandboxHarness.js';

const h = useSandbox({ quotasTps: false, exportTiming: { pendingMs: 5, runningMs: 5 } });
const STREAMS = 1_000;

it('writes a large export a slice at a time, answering meanwhile, and completes once all is written', async () => {
  const now = Date.now();
  h.sandbox.createBucket('archive');
  h.sandbox.seedGroup('/big', { creationTimeMs: now - 40 * MS_PER_DAY });
  h.sandbox.seedStreams(
    '/big',
    Array.from({ length: STREAMS }, (_, i) => ({
      name: `s${String(i).padStart(4, '0')}`,
      events: [{ timestamp: now - 30 * MS_PER_DAY, message: `e${i}` }],
    })),
  );
  const { taskId } = await h.logs.send(
    new CreateExportTaskCommand({
      logGroupName: '/big',
      from: 0,
      to: now,
      destination: 'archive',
      destinationPrefix: 'x',
    }),
  );
  const written = (): number => h.sandbox.objects('archive', `x/${taskId}/`).length;
  // Turns of the event loop between slices: a write all at once would never be seen half done.
  const seen = new Set<number>();
  while (written() < STREAMS) {
    seen.add(written());
    await turn();
  }
  expect([...seen].some((n) => n > 0 && n < STREAMS)).toBe(true);
  const task = await eventually(async () => {
    const t = (await h.logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks?.[0];
    return t?.status?.code === 'COMPLETED' ? t : undefined;
  });
  expect(task.executionInfo?.completionTime).toBeDefined();
  expect(written()).toBe(STREAMS);
});

it('writes small objects as stored gzip blocks and large ones deflated, both read back as the same lines', async () => {
  const now = Date.now();
  h.sandbox.createBucket('archive2');
  h.sandbox.seedGroup('/sizes', { creationTimeMs: now - 40 * MS_PER_DAY });
  const lines = (n: number): { timestamp: number; message: string }[] =>
    Array.from({ length: n }, (_, i) => ({ timestamp: now - 30 * MS_PER_DAY + i, message: `event number ${i}` }));
  h.sandbox.seedStreams('/sizes', [
    { name: 'small', events: lines(3) },
    { name: 'large', events: lines(400) },
  ]);
  const { taskId } = await h.logs.send(
    new CreateExportTaskCommand({ logGroupName: '/sizes', from: 0, to: now, destination: 'archive2' }),
  );
  await eventually(async () => {
    const t = (await h.logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks?.[0];
    return t?.status?.code === 'COMPLETED' ? t : undefined;
  });
  const body = (stream: string): Buffer => h.sandbox.objects('archive2', `exportedlogs/${taskId}/${stream}/`)[0]!.body;
  // BTYPE (bits 1–2 of the first deflate byte, after the 10-byte header): 00 stored, else compressed.
  expect((body('small')[10]! >> 1) & 3).toBe(0);
  expect((body('large')[10]! >> 1) & 3).not.toBe(0);
  for (const [stream, n] of [
    ['small', 3],
    ['large', 400],
  ] as const) {
    const text = gunzipSync(body(stream)).toString();
    expect(text.split('\n').filter(Boolean)).toEqual(
      lines(n).map((e) => `${new Date(e.timestamp).toISOString()} ${e.message}`),
    );
  }
});
