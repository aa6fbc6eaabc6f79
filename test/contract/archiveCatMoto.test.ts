/**
 * End to end against moto, an emulator we did not write: seed, a real cwl-trim run (moto's exports
 * copied into AWS's layout by the test-only helper, motoExportLayout.ts), then `cwl-trim archive cat`
 * over the whole history prints exactly the events that left CloudWatch, each once, in order, and
 * `archive verify` finds every manifest object with its size and ETag. Clocks as in rebuildMoto.test.ts: moto's is the real one, cwl-trim's runs
 * 25 h ahead so that DAYS=1 puts the cutoff just after the real now.
 */
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { main } from '../../src/cli.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../../src/constants.js';
import { createDeps } from '../../src/createDeps.js';
import { createLogger } from '../../src/logger.js';
import { runCwlTrim } from '../../src/run.js';
import type { SeedEvent } from '@cwl-trim/sandbox';
import { ENV, inCatOrder, linesOf } from '../helpers/archiveCli.js';
import { configFactory } from '../helpers/factories.js';
import { withAwsExportLayout } from '../helpers/motoExportLayout.js';
import { TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';
import { motoAvailable, startMoto, type MotoServer } from './moto.js';

const BUCKET = 'archive';
const GROUP = '/e2e/cat';
const AHEAD_MS = 25 * MS_PER_HOUR;

describe.skipIf(!motoAvailable())('archive cat end to end against moto', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('prints exactly the events that left CloudWatch, each once, in timestamp order across streams; verify finds every object with its ETag', async () => {
    const config = configFactory({
      bucket: BUCKET,
      endpointUrl: moto.endpoint,
      region: 'us-east-1',
      days: 1,
      selection: { names: [GROUP], prefixes: [], excludePrefixes: [] },
    });
    const clients = createClients(config, { credentials: TEST_CREDENTIALS });
    const copied = withAwsExportLayout(clients.logs, clients.s3);
    const realNow = Math.floor(Date.now() / 1_000) * 1_000; // moto exports whole seconds
    await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    const seeded = new Map<string, SeedEvent[]>();
    // Two expired streams whose events interleave in time, so that cat really merges.
    for (const [stream, offsetMs] of [
      ['2026/11/30/[$LATEST]aaa', 0],
      ['2026/11/30/[$LATEST]bbb', 7 * MS_PER_MINUTE],
    ] as const) {
      await clients.logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
      const events: SeedEvent[] = [];
      for (let t = realNow - 5 * MS_PER_DAY + offsetMs; t < realNow - 4 * MS_PER_DAY; t += 10 * MS_PER_MINUTE)
        events.push({ timestamp: t, message: `${stream} at ${t}` });
      for (let i = 0; i < events.length; i += 100) {
        await clients.logs.send(
          new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: events.slice(i, i + 100) }),
        );
      }
      seeded.set(stream, events);
    }
    const deps = createDeps(config, {
      clients,
      clock: { now: () => Date.now() + AHEAD_MS },
      logger: createLogger({ level: 'silent', runId: 'moto' }),
      exportPoll: { initialMs: 5, maxMs: 40, factor: 1.5 },
      exportSlot: { initialMs: 5, maxMs: 40, factor: 1.5 },
    });
    const { plan, result } = await runCwlTrim(config, deps);
    expect(result?.outcome).toBe('done');
    expect(copied.copied).toBeGreaterThan(0);

    const cli = async (argv: readonly string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(['archive', ...argv, '--bucket', BUCKET, '--endpoint-url', moto.endpoint], ENV, {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
      });
      return { code, stdout, stderr };
    };
    const out = await cli(['cat', '--log-group', GROUP]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    // Exactly the data: the group lock lives in its own group, so no export holds it.
    const printed = linesOf(out.stdout);
    const left = inCatOrder(seeded, (_s, e) => e.timestamp < plan.cutoffMs);
    expect(left.length).toBeGreaterThan(250);
    expect(printed).toEqual(left);

    // verify: every manifest object present with its size and the ETag moto listed. The only findings are
    // moto's own copies in its layout (`<random id>/<stream with - for />`), which the helper leaves in place.
    const verified = await cli(['verify', '--log-group', GROUP, '--json']);
    const taskId = result!.groups[0]!.exports[0]!.taskId!;
    const { groups } = JSON.parse(verified.stdout) as {
      groups: { objectsChecked: number; problems: { kind: string; key?: string }[]; notes: string[] }[];
    };
    expect(groups[0]!.objectsChecked).toBeGreaterThanOrEqual(2);
    expect(groups[0]!.notes.filter((n) => n.includes('no checksum'))).toEqual([]);
    expect(groups[0]!.problems.length).toBeGreaterThan(0);
    for (const p of groups[0]!.problems) {
      expect(p.kind).toBe('unlisted-object');
      expect(p.key).not.toContain(`/${taskId}/`);
    }
  });
});
