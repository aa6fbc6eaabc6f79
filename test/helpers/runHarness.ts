/**
 * Runs cwl-trim against a sandbox as a user would, with the real SDK clients, and reads back what
 * CloudWatch and the archive hold, event by event.
 */
import { gunzipSync } from 'node:zlib';
import { createClients } from '../../src/aws/clients.js';
import { MS_PER_DAY, scaledQuotas } from '../../src/constants.js';
import { createDeps, type DepsOptions } from '../../src/createDeps.js';
import type { Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import type { Config } from '../../src/types.js';
import { configFactory } from './factories.js';
import { TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';

const BUCKET = 'archive';

function testConfig(sandbox: Sandbox, overrides: Partial<Config> = {}): Config {
  return configFactory({ bucket: BUCKET, endpointUrl: sandbox.endpoint, region: sandbox.region, ...overrides });
}

/** Deps pointed at the sandbox: its clock, fast waits, quotas scaled like the sandbox's. */
function testDeps(sandbox: Sandbox, config: Config, options: DepsOptions = {}): Deps {
  return createDeps(config, {
    clients: createClients(config, { credentials: TEST_CREDENTIALS }),
    clock: sandbox.clock,
    logger: createLogger({ level: 'silent', runId: 'test' }),
    exportPoll: { initialMs: 5, maxMs: 40, factor: 1.5 },
    exportSlot: { initialMs: 5, maxMs: 40, factor: 1.5 },
    settle: { initialMs: 5, maxMs: 40, factor: 1.5 },
    retry: { retries: 10, minTimeoutMs: 5, maxTimeoutMs: 50 },
    quotasTps: scaledQuotas(20),
    ...options,
  });
}

/** Events every `everyMs` from `fromMs` to `toMs` (exclusive), with a message naming the stream and time. */
function history(stream: string, fromMs: number, toMs: number, everyMs: number): SeedEvent[] {
  const events: SeedEvent[] = [];
  for (let t = fromMs; t < toMs; t += everyMs)
    events.push({ timestamp: t, message: `${stream} event at ${new Date(t).toISOString()}` });
  return events;
}

interface Ev {
  readonly timestamp: number;
  readonly message: string;
}

const keyOf = (e: Ev): string => `${e.timestamp} ${e.message}`;

/**
 * The archive of record: every object listed in an export manifest under the prefix, parsed from
 * AWS's line format (`2021-04-21T00:00:00.000Z message`), by stream.
 */
function archivedEvents(sandbox: Sandbox, prefix = 'cwl-archive'): Map<string, Ev[]> {
  const byStream = new Map<string, Ev[]>();
  const manifests = sandbox.objects(BUCKET, `${prefix}/exports/`).filter((o) => o.key.endsWith('/manifest.json'));
  for (const m of manifests) {
    const manifest = JSON.parse(m.body.toString('utf8')) as {
      logGroupName: string;
      taskId: string;
      destinationPrefix: string;
      objects?: { key: string }[];
      parts?: { key: string }[];
    };
    // A large export lists its objects in parts beside the manifest.
    const listed =
      manifest.objects ??
      (manifest.parts ?? []).flatMap((part) => {
        const object = sandbox.objects(BUCKET, part.key).find((o) => o.key === part.key);
        if (!object) throw new Error(`manifest names part ${part.key} but S3 does not hold it`);
        return (JSON.parse(object.body.toString('utf8')) as { objects: { key: string }[] }).objects;
      });
    for (const { key } of listed) {
      const object = sandbox.objects(BUCKET, key).find((o) => o.key === key);
      if (!object) throw new Error(`manifest lists ${key} but S3 does not hold it`);
      const taskPrefix = `${manifest.destinationPrefix}/${manifest.taskId}/`;
      const stream = `${manifest.logGroupName}|${key.slice(taskPrefix.length, key.lastIndexOf('/'))}`;
      const lines = gunzipSync(object.body)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      const events = byStream.get(stream) ?? [];
      for (const line of lines) {
        const space = line.indexOf(' ');
        events.push({ timestamp: Date.parse(line.slice(0, space)), message: line.slice(space + 1) });
      }
      byStream.set(stream, events);
    }
  }
  return byStream;
}

/** Sorted `timestamp message` keys: multisets compare as arrays. */
const keys = (events: readonly Ev[]): string[] => events.map(keyOf).sort();

export { BUCKET, MS_PER_DAY, archivedEvents, history, keys, scaledQuotas, testConfig, testDeps };
export type { Ev };
