/**
 * Runs `cwl-trim archive …` in-process against a sandbox, and prepares archives to read: a real
 * cwl-trim run over the standard scenario, export objects shuffled as AWS leaves them (unsorted).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { main } from '../../src/cli.js';
import { runCwlTrim } from '../../src/run.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { seededRandom } from '@cwl-trim/sandbox';
import { BUCKET, scaledQuotas, testConfig, testDeps } from './runHarness.js';
import { sandboxClients } from '@cwl-trim/sandbox/testing';

const ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `cwl-trim archive <argv…> --bucket archive --endpoint-url <sandbox>` with the sandbox's clock. */
async function archiveCli(sandbox: Sandbox, argv: readonly string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(['archive', ...argv, '--bucket', BUCKET, '--endpoint-url', sandbox.endpoint], ENV, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    deps: {
      clock: sandbox.clock,
      retry: { retries: 3, minTimeoutMs: 5, maxTimeoutMs: 20 },
      quotasTps: scaledQuotas(20),
    },
  });
  return { code, stdout, stderr };
}

/** One cwl-trim run (DAYS=7, rebuilds forced) as a user would start it; returns the cutoff. */
async function trimRun(sandbox: Sandbox): Promise<number> {
  const config = testConfig(sandbox, { days: 7, forceRebuild: true });
  const { plan, result } = await runCwlTrim(config, testDeps(sandbox, config));
  if (result?.outcome !== 'done') throw new Error(`the run ended ${result?.outcome}`);
  return plan.cutoffMs;
}

/** Rewrites every export object with its lines shuffled: AWS does not sort inside exported chunks. */
async function shuffleExports(sandbox: Sandbox): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  const random = seededRandom(5);
  try {
    for (const o of sandbox.objects(BUCKET, 'cwl-archive/exports/').filter((x) => x.key.endsWith('.gz'))) {
      const lines = gunzipSync(o.body)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      for (let i = lines.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: o.key, Body: gzipSync(`${lines.join('\n')}\n`) }));
    }
  } finally {
    destroy();
  }
}

/** Writes an object to the archive bucket. */
async function putObject(sandbox: Sandbox, key: string, body: Buffer | string): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  } finally {
    destroy();
  }
}

async function getText(sandbox: Sandbox, key: string): Promise<string> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    return await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
  } finally {
    destroy();
  }
}

/** `archive cat`'s plain line for an event. */
const catLine = (stream: string, e: SeedEvent): string =>
  `${new Date(e.timestamp).toISOString()} ${stream} ${e.message}`;

/** Events of several streams in cat's order: timestamp, then stream name. */
function inCatOrder(
  streams: ReadonlyMap<string, readonly SeedEvent[]>,
  keep: (stream: string, e: SeedEvent) => boolean,
): string[] {
  const all = [...streams].flatMap(([stream, events]) =>
    events.filter((e) => keep(stream, e)).map((e) => ({ stream, e })),
  );
  all.sort((a, b) => a.e.timestamp - b.e.timestamp || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  return all.map(({ stream, e }) => catLine(stream, e));
}

const linesOf = (text: string): string[] => text.split('\n').filter((l) => l !== '');

export { ENV, archiveCli, catLine, getText, inCatOrder, linesOf, putObject, shuffleExports, trimRun };
export type { Outcome };

/** Deletes an object of the archive bucket. */
async function deleteKey(sandbox: Sandbox, key: string): Promise<void> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  } finally {
    destroy();
  }
}

export { deleteKey };
