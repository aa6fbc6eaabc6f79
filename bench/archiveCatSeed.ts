/**
 * The account of the `archive cat` benchmark, generated inside the sandbox process: one group of
 * `streams` streams, `eventsPerStream` events each, spread over 30 to 10 days back (all older than the
 * DAYS=7 cutoff: one run exports them all and deletes every stream).
 */
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
