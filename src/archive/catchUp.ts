/**
 * Archives a stream's late events (see src/plan/lateEvents.ts) before the stream loses them: reads
 * each planned range with GetLogEvents (with ingestion times), keeps the events ingested after the
 * covering export began (less the export lag) that its objects do not hold, and writes them under the
 * prefix as an export would — gzip lines `2021-04-21T00:00:00.000Z message` at
 * `<destination>/<taskId>/<stream>/000000.gz` with a manifest beside them — so that archive readers
 * find them with the exported ones. The object is read back and counted before the stream is touched.
 *
 * The destination is derived from the stream's incarnation (creation time) and the covering export:
 * a catch-up redone after a crash rewrites the same object with a superset (the stream lost nothing
 * meanwhile), never a second copy.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { callAws } from '../aws/callAws.js';
import type { Deps } from '../deps.js';
import { ExportVerificationError } from '../errors.js';
import { eventsToCatchUp, exportLine, parseExportLine, type ReadEvent } from '../plan/lateEvents.js';
import type { Config, StreamInfo } from '../types.js';
import { StreamAction, type CatchUpRange, type GroupPlan } from '../plan/planTypes.js';
import { groupKey, manifestKey, streamKey } from './keys.js';
import { partsOverlapping } from './exportManifest.js';
import { streamOfKey } from './runExport.js';
import { getJson, putJson } from './s3Objects.js';

type CatchUpConfig = Pick<Config, 'bucket' | 'bucketPrefix' | 'unmask'>;

interface CatchUpResult {
  /** Late events archived (0 when every one was in its export after all). */
  readonly events: number;
  readonly objects: number;
}

/** Where one stream incarnation's late events of one export's window go. */
const catchUpPrefix = (prefix: string, logGroupName: string, stream: StreamInfo, range: CatchUpRange): string =>
  `${prefix}/exports/${groupKey(logGroupName)}/late/${streamKey(stream.logStreamName)}-${stream.creationTimeMs}/${range.taskId}`;

/** The task id of a catch-up, in place of an export task's. */
const CATCH_UP_TASK_ID = 'late-events';

async function readRange(
  deps: Deps,
  logGroupName: string,
  logStreamName: string,
  range: CatchUpRange,
  unmask: boolean,
): Promise<ReadEvent[]> {
  const events: ReadEvent[] = [];
  let token: string | undefined;
  for (;;) {
    // The whole input with every page (moto reads a token against the request's own times).
    const page = await callAws(deps.call, 'GetLogEvents', () =>
      deps.clients.logs.send(
        new GetLogEventsCommand({
          logGroupName,
          logStreamName,
          startFromHead: true,
          startTime: range.fromMs,
          endTime: range.toMs + 1,
          ...(token ? { nextToken: token } : {}),
          ...(unmask ? { unmask: true } : {}),
        }),
      ),
    );
    for (const e of page.events ?? []) {
      events.push({ timestamp: e.timestamp ?? 0, message: e.message ?? '', ingestionTime: e.ingestionTime ?? 0 });
    }
    if (!page.nextForwardToken || page.nextForwardToken === token) return events;
    token = page.nextForwardToken;
  }
}

/** What the covering export holds for this stream (its objects, listed in its manifest). */
async function exportedEvents(
  deps: Deps,
  bucket: string,
  logStreamName: string,
  range: CatchUpRange,
): Promise<{ timestamp: number; message: string }[]> {
  const manifest = await getJson<{
    objects?: { key: string }[];
    parts?: { key: string; first: string; last: string }[];
  }>(deps, bucket, manifestKey(range.destinationPrefix));
  const taskPrefix = `${range.destinationPrefix}/${range.taskId}/`;
  // A large export lists its objects in parts: only those whose key range holds this stream's keys are read.
  const low = `${taskPrefix}${logStreamName}/`;
  const listed = manifest?.value.objects ?? [];
  for (const part of partsOverlapping(manifest?.value.parts ?? [], low, `${low}\uffff`)) {
    listed.push(...((await getJson<{ objects: { key: string }[] }>(deps, bucket, part.key))?.value.objects ?? []));
  }
  const keys = listed
    .map((o) => o.key)
    .filter((k) => k.startsWith(taskPrefix) && streamOfKey(k, taskPrefix) === logStreamName);
  const events: { timestamp: number; message: string }[] = [];
  for (const key of keys) {
    for (const line of (await getText(deps, bucket, key)).split('\n')) {
      const e = line === '' ? undefined : parseExportLine(line);
      if (e && e.timestamp >= range.fromMs && e.timestamp <= range.toMs) events.push(e);
    }
  }
  return events;
}

async function getText(deps: Deps, bucket: string, key: string): Promise<string> {
  const out = await callAws(deps.call, 'GetObject', () =>
    deps.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
  );
  const bytes = Buffer.from(await out.Body!.transformToByteArray());
  return key.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
}

/**
 * Archives the late events of `stream` in every planned range; resolves once they are written and
 * read back. Throws (and the stream is then left alone) when anything does not verify.
 *
 * @example const { events } = await catchUpStream(deps, config, '/app/orders', plan.snapshot, plan.catchUp);
 */
async function catchUpStream(
  deps: Deps,
  config: CatchUpConfig,
  logGroupName: string,
  stream: StreamInfo,
  ranges: readonly CatchUpRange[],
): Promise<CatchUpResult> {
  let events = 0;
  let objects = 0;
  for (const range of ranges) {
    const read = await readRange(deps, logGroupName, stream.logStreamName, range, config.unmask);
    const candidates = read.filter((e) => e.ingestionTime >= range.ingestedFromMs);
    if (candidates.length === 0) continue;
    const late = eventsToCatchUp(
      candidates,
      range,
      await exportedEvents(deps, config.bucket, stream.logStreamName, range),
    );
    if (late.length === 0) continue;
    const destinationPrefix = catchUpPrefix(config.bucketPrefix, logGroupName, stream, range);
    const key = `${destinationPrefix}/${CATCH_UP_TASK_ID}/${stream.logStreamName}/000000.gz`;
    const body = gzipSync(late.map((e) => `${exportLine(e)}\n`).join(''));
    const put = await callAws(deps.call, 'PutObject', () =>
      deps.clients.s3.send(
        new PutObjectCommand({
          Bucket: config.bucket,
          Key: key,
          Body: body,
          ContentType: 'text/plain',
          ContentEncoding: 'gzip',
        }),
      ),
    );
    // Read back and counted before anything leaves CloudWatch.
    const back = (await getText(deps, config.bucket, key)).split('\n').filter((l) => l !== '').length;
    if (back !== late.length) {
      throw new ExportVerificationError(
        `the late events of ${stream.logStreamName} read back from s3://${config.bucket}/${key} are ${back}, not ${late.length}; the stream is left as it is`,
      );
    }
    await putJson(deps, config.bucket, manifestKey(destinationPrefix), {
      kind: 'late-events',
      logGroupName,
      logStreamName: stream.logStreamName,
      fromMs: range.fromMs,
      toMs: range.toMs,
      taskId: CATCH_UP_TASK_ID,
      coveringTaskId: range.taskId,
      destinationPrefix,
      ingestedFromMs: range.ingestedFromMs,
      objectCount: 1,
      bytes: body.length,
      events: late.length,
      verifiedAtMs: deps.clock.now(),
      objects: [{ key, size: body.length, ...(put.ETag === undefined ? {} : { etag: put.ETag }) }],
    });
    deps.logger.info(
      { logGroupName, logStreamName: stream.logStreamName, events: late.length, key },
      'late events archived',
    );
    events += late.length;
    objects += 1;
  }
  return { events, objects };
}

/**
 * The streams a run keeps (the retention strategy) whose late events must be archived before the
 * retention expires them; returns how many events were archived.
 */
async function catchUpKeptStreams(deps: Deps, config: CatchUpConfig, group: GroupPlan): Promise<number> {
  let events = 0;
  for (const s of group.streams) {
    if (s.action !== StreamAction.Keep || !s.catchUp?.length) continue;
    events += (await catchUpStream(deps, config, group.logGroupName, s.snapshot, s.catchUp)).events;
  }
  return events;
}

export { catchUpKeptStreams, catchUpPrefix, catchUpStream };
export type { CatchUpResult };
