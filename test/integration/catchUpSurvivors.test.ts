/**
 * The late-writer catch-up (src/archive/catchUp.ts) when the covering export's manifest is in parts
 * and the part that lists this stream's objects is gone: nothing tells which late events the export
 * holds, so every one of them is archived (one copy too many at worst, never one too few), and the
 * catch-up does not fail for it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { beforeEach, describe, expect, it } from 'vitest';
import { catchUpStream } from '../../src/archive/catchUp.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../../src/constants.js';
import type { CatchUpRange } from '../../src/plan/planTypes.js';
import type { StreamInfo } from '../../src/types.js';
import { BUCKET, testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

const STREAM = '2026/11/01/[$LATEST]abc';
const DEST = 'cwl-archive/exports/~app~orders/range';
const TASK = 'task-1';

let range: CatchUpRange;
let stream: StreamInfo;

const line = (e: { timestamp: number; message: string }): string =>
  `${new Date(e.timestamp).toISOString()} ${e.message}`;
const gz = (ls: readonly string[]): Buffer => gzipSync(ls.map((l) => `${l}\n`).join(''));

beforeEach(() => {
  const now = sandbox.clock.now();
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
});

describe('catchUpStream: a manifest part gone missing', () => {
  it("archives every late event of the stream whose part is gone, the export's copy included, and does not fail", async () => {
    const late = (dt: number, message: string): SeedEvent => ({
      timestamp: range.fromMs + dt,
      message,
      ingestionTime: range.ingestedFromMs + MS_PER_HOUR,
    });
    const held = late(0, 'late but exported');
    const other = late(MS_PER_HOUR, 'late, not exported');
    sandbox.seedStream(GROUP, STREAM, [held, other], { creationTimeMs: stream.creationTimeMs });
    const mine = `${DEST}/${TASK}/${STREAM}/000000.gz`;
    // The manifest lists one part, for this stream's object; the part itself was never written (or was lost).
    sandbox.seedObjects(BUCKET, [
      { key: mine, body: gz([line(held)]) },
      {
        key: `${DEST}/manifest.json`,
        body: Buffer.from(
          JSON.stringify({ parts: [{ key: `${DEST}/manifest-parts/00000.json`, first: mine, last: mine, count: 1 }] }),
        ),
      },
    ]);
    const config = testConfig(sandbox);

    const result = await catchUpStream(testDeps(sandbox, config), config, GROUP, stream, [range]);

    expect(result).toEqual({ events: 2, objects: 1 });
    const written = sandbox
      .objects(BUCKET, 'cwl-archive/exports/~app~orders/late/')
      .find((o) => o.key.endsWith(`/late-events/${STREAM}/000000.gz`));
    expect(gunzipSync(written!.body).toString('utf8')).toBe(`${line(held)}\n${line(other)}\n`);
  });
});
