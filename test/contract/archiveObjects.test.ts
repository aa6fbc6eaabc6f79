/**
 * Contract: the export objects `archive cat` and the Athena table read, as two implementations write
 * them (our sandbox, and moto, which nobody here wrote). Each object parses, in place and as text, into
 * exactly the events exported, and the DDL's line regex takes every line.
 */
import { gunzipSync } from 'node:zlib';
import {
  CreateExportTaskCommand,
  CreateLogGroupCommand,
  DescribeExportTasksCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeEach, expect, it } from 'vitest';
import { LINE_REGEX } from '../../src/archiveTools/athenaDdl.js';
import { parseExportText } from '../../src/archiveTools/exportLines.js';
import { indexExportBytes } from '../../src/archiveTools/objectIndex.js';
import { MS_PER_HOUR } from '../../src/constants.js';
import { eventually } from '@cwl-trim/sandbox/testing';
import { describeContract } from './targets.js';

const GROUP = '/contract/archive-objects';
const BUCKET = 'contract-archive-objects';

describeContract('archive objects as exports write them', (target) => {
  beforeEach(async () => {
    await target().s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await target().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  });

  it('parses every exported object into exactly the events exported, and the Athena line regex takes every line', async () => {
    const t = target();
    // Whole seconds: moto writes .000Z whatever the milliseconds.
    const fromMs = Math.floor((Date.now() - 3 * MS_PER_HOUR) / 1_000) * 1_000;
    const events = Array.from({ length: 60 }, (_, i) => ({
      timestamp: fromMs + i * 60_000,
      message: `{"level":"info","n":${i},"text":"a b  c"}`,
    }));
    await t.seedHistory(GROUP, 'worker-1', events);
    const { taskId } = await t.logs.send(
      new CreateExportTaskCommand({
        logGroupName: GROUP,
        from: fromMs,
        to: Date.now(),
        destination: BUCKET,
        destinationPrefix: 'x',
      }),
    );
    await eventually(async () => {
      const task = (await t.logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks?.[0];
      return task?.status?.code === 'COMPLETED' ? task : undefined;
    });
    const keys = ((await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'x/' }))).Contents ?? [])
      .map((o) => o.Key!)
      .filter((k) => k.endsWith('.gz'));
    expect(keys.length).toBeGreaterThan(0);
    const parsed: { timestamp: number; message: string }[] = [];
    const inPlace: { timestamp: number; message: string }[] = [];
    const regex = new RegExp(LINE_REGEX);
    for (const Key of keys) {
      const body = await (await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToByteArray();
      const bytes = gunzipSync(body);
      const text = bytes.toString('utf8');
      parsed.push(...parseExportText(text, 'worker-1').map(({ timestamp, message }) => ({ timestamp, message })));
      const index = indexExportBytes(bytes);
      for (let i = 0; i < index.count; i += 1)
        inPlace.push({ timestamp: index.ts[i]!, message: bytes.toString('utf8', index.start[i]!, index.end[i]!) });
      for (const line of text.split('\n').filter((l) => l !== '')) expect(regex.test(line), line).toBe(true);
    }
    const byTime = (a: { timestamp: number }, b: { timestamp: number }): number => a.timestamp - b.timestamp;
    expect(parsed.sort(byTime)).toEqual(events);
    expect(inPlace.sort(byTime)).toEqual(events);
  });
});
