/**
 * The account of the `archive cat` benchmark, generated inside the sandbox process: one group of
 * `streams` streams, `eventsPerStream` events each, spread over 30 to 10 days back (all older than the
 * DAYS=7 cutoff: one run exports them all and deletes every stream).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MS_PER_DAY } from '../src/constants.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { seededRandom } from '@cwl-trim/sandbox';

interface ArchiveCatSpec {
  readonly streams: number;
  readonly eventsPerStream: number;
  readonly messageBytes: number;
}

const ARCHIVE_CAT_GROUP = '/bench/archive-cat';

function seedArchiveCat(sandbox: Sandbox, spec: ArchiveCatSpec, nowMs: number): { group: string; events: number } {
  const r = seededRandom(17);
  sandbox.seedGroup(ARCHIVE_CAT_GROUP, { creationTimeMs: nowMs - 40 * MS_PER_DAY });
  const fromMs = nowMs - 30 * MS_PER_DAY;
  const spanMs = 20 * MS_PER_DAY;
  const filler = 'x'.repeat(spec.messageBytes);
  for (let s = 0; s < spec.streams; s += 1) {
    const stream = `worker-${String(s).padStart(3, '0')}`;
    const CHUNK = 50_000;
    for (let start = 0; start < spec.eventsPerStream; start += CHUNK) {
      const chunk: SeedEvent[] = [];
      for (let i = start; i < Math.min(spec.eventsPerStream, start + CHUNK); i += 1) {
        // Streams interleave in time (every stream spans the whole range), so the merge really merges.
        const timestamp = Math.round(fromMs + (i / spec.eventsPerStream) * spanMs + r() * 60_000);
        const head = `{"level":"info","stream":${s},"seq":${i},"requestId":"${Math.floor(r() * 1e12).toString(16)}"} `;
        chunk.push({ timestamp, message: head + filler.slice(0, Math.max(0, spec.messageBytes - head.length)) });
      }
      sandbox.seedStream(ARCHIVE_CAT_GROUP, stream, chunk);
    }
  }
  return { group: ARCHIVE_CAT_GROUP, events: spec.streams * spec.eventsPerStream };
}

export { ARCHIVE_CAT_GROUP, seedArchiveCat };
export type { ArchiveCatSpec };

interface ArchiveWideSpec {
  readonly streams: number;
  readonly eventsPerStream: number;
  readonly messageBytes: number;
}

const ARCHIVE_WIDE_GROUP = '/bench/archive-wide';
/** Objects per manifest part, as src/archive/exportManifest.ts writes them. */
const WIDE_PART_OBJECTS = 10_000;

/**
 * ONE export window of `streams` streams (an object each, `eventsPerStream` events in random order),
 * written straight into the sandbox's bucket in the layout a run leaves: the objects under the task
 * id, the manifest in parts of 10,000 objects with their ETags, the manifest and the group's state.
 * Exporting a million streams through CloudWatch, then deleting them, would take the bench an hour.
 */
function seedArchiveWide(
  sandbox: Sandbox,
  bucket: string,
  spec: ArchiveWideSpec,
  nowMs: number,
): { group: string; events: number; objects: number; parts: number; bytes: number } {
  const r = seededRandom(23);
  const fromMs = Math.floor((nowMs - 20 * MS_PER_DAY) / MS_PER_DAY) * MS_PER_DAY;
  const toMs = fromMs + MS_PER_DAY - 1;
  const taskId = 'bench-wide-0001';
  const destinationPrefix = `cwl-archive/exports/${ARCHIVE_WIDE_GROUP.replaceAll('/', '~')}/${fromMs}-${toMs}`;
  const filler = 'x'.repeat(spec.messageBytes);
  const parts: { key: string; first: string; last: string; count: number }[] = [];
  let part: { key: string; size: number; etag: string }[] = [];
  let bytes = 0;
  const flush = (): { key: string; body: Buffer } => {
    const key = `${destinationPrefix}/manifest-parts/${String(parts.length).padStart(5, '0')}.json`;
    parts.push({ key, first: part[0]!.key, last: part.at(-1)!.key, count: part.length });
    const body = Buffer.from(JSON.stringify({ objects: part }));
    part = [];
    return { key, body };
  };
  function* objects(): Generator<{ key: string; body: Buffer }> {
    for (let s = 0; s < spec.streams; s += 1) {
      const stream = `worker-${String(s).padStart(7, '0')}`;
      const lines: string[] = [];
      for (let i = 0; i < spec.eventsPerStream; i += 1) {
        const head = `{"level":"info","stream":${s},"seq":${i}} `;
        const ts = new Date(fromMs + Math.floor(r() * MS_PER_DAY)).toISOString();
        lines.push(`${ts} ${head}${filler.slice(0, Math.max(0, spec.messageBytes - head.length))}`);
      }
      // A copy: gzipSync's result is a view of its 16 KiB output chunk, which a million objects would keep.
      const body = Buffer.from(gzipSync(`${lines.join('\n')}\n`, { level: 1 }));
      const key = `${destinationPrefix}/${taskId}/${stream}/000000.gz`;
      part.push({ key, size: body.length, etag: `"${createHash('md5').update(body).digest('hex')}"` });
      bytes += body.length;
      yield { key, body };
      if (part.length === WIDE_PART_OBJECTS) yield flush();
    }
    if (part.length > 0) yield flush();
  }
  sandbox.seedObjects(bucket, objects());
  const window = {
    fromMs,
    toMs,
    taskId,
    destinationPrefix,
    taskCreatedAtMs: toMs + 60_000,
    objectCount: spec.streams,
    bytes,
  };
  const manifest = { logGroupName: ARCHIVE_WIDE_GROUP, ...window, verifiedAtMs: toMs + 120_000, parts };
  const state = { logGroupName: ARCHIVE_WIDE_GROUP, archivedThroughMs: toMs, windows: [window] };
  sandbox.seedObjects(bucket, [
    { key: `${destinationPrefix}/manifest.json`, body: Buffer.from(JSON.stringify(manifest)) },
    {
      key: `cwl-archive/state/groups/${ARCHIVE_WIDE_GROUP.replaceAll('/', '~')}.json`,
      body: Buffer.from(JSON.stringify(state)),
    },
  ]);
  return {
    group: ARCHIVE_WIDE_GROUP,
    events: spec.streams * spec.eventsPerStream,
    objects: spec.streams,
    parts: parts.length,
    bytes,
  };
}

export { ARCHIVE_WIDE_GROUP, seedArchiveWide };
export type { ArchiveWideSpec };
