import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArchivedEvent } from '../../../src/archiveTools/exportLines.js';
import { RunStore } from '../../../src/archiveTools/loadRuns.js';
import { fileRun } from '../../../src/archiveTools/spilledRun.js';
import type { EventRun } from '../../../src/archiveTools/mergeEvents.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Every event of a run, chunk by chunk, as the merge reads it (a chunk is done with before the next is asked for). */
async function readAll(path: string): Promise<{ events: ArchivedEvent[]; chunks: number }> {
  return readRun(fileRun(path, 'worker-1'), 'worker-1');
}

async function readRun(run: EventRun, onlyStream?: string): Promise<{ events: ArchivedEvent[]; chunks: number }> {
  const events: ArchivedEvent[] = [];
  let chunks = 0;
  for (let chunk = await run.next(); chunk.count > 0; chunk = await run.next()) {
    chunks += 1;
    for (let i = 0; i < chunk.count; i += 1) {
      expect(chunk.timestampAt(i)).toBe(chunk.eventAt(i).timestamp);
      expect(chunk.logStreamNameAt(i)).toBe(onlyStream ?? chunk.eventAt(i).logStreamName);
      events.push(chunk.eventAt(i));
    }
  }
  return { events, chunks };
}

describe('fileRun (a sorted run spilled to disk)', () => {
  it('reads back every event across block boundaries, a message longer than a block, and JSON-quoted messages', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cwl-trim-test-'));
    const path = join(dir, 'run.tsv');
    const expected: ArchivedEvent[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 3000; i += 1) {
      // Lines of varying length so that blocks end in the middle of lines; one of 40 KB; some in JSON (newline, leading quote).
      const message =
        i === 1500
          ? 'y'.repeat(40_000)
          : i % 97 === 0
            ? `line one ${i}\nline "two"`
            : i % 89 === 0
              ? `"quoted" ${i}`
              : `event ${i} ${'z'.repeat(i % 50)}`;
      const timestamp = 1_700_000_000_000 + i * 7;
      expected.push({ timestamp, logStreamName: 'worker-1', message });
      lines.push(
        `${timestamp}\t${message.includes('\n') || message.startsWith('"') ? JSON.stringify(message) : message}\n`,
      );
    }
    await writeFile(path, lines.join(''));

    const { events, chunks } = await readAll(path);
    expect(events).toEqual(expected);
    expect(chunks).toBeGreaterThan(5);
    // The temporary file goes once the run is read.
    expect(existsSync(path)).toBe(false);
  });

  it("a combined run (several streams, written by RunStore.combine) reads back with each event's stream, named on its line", async () => {
    const store = new RunStore();
    const events: ArchivedEvent[] = Array.from({ length: 5000 }, (_, i) => ({
      timestamp: 1_700_000_000_000 + i,
      // Names with a tab, a leading quote, and the same name on consecutive lines (one string reused).
      logStreamName: ['a/b', 'worker\t2', 'c', '"quoted"\tname'][Math.floor(i / 3) % 4]!,
      message: i % 7 === 0 ? `multi\nline ${i}` : i % 11 === 0 ? `"${i}"` : `m ${i}`,
    }));
    async function* batches() {
      for (let i = 0; i < events.length; i += 256) yield events.slice(i, i + 256);
    }
    try {
      const { events: back } = await readRun(await store.combine(batches()));
      expect(back).toEqual(events);
      expect(store.spilled).toBe(1);
    } finally {
      await store.close();
    }
  });
});
