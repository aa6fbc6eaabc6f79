/**
 * A large export is written a slice of streams at a time (issue 11): the sandbox keeps answering
 * while a million-stream task writes its objects, as AWS does, and the task is COMPLETED only once
 * every object is there.
 */
import { CreateExportTaskCommand, DescribeExportTasksCommand } from '@aws-sdk/client-cloudwatch-logs';
import { setImmediate as turn } from 'node:timers/promises';
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
