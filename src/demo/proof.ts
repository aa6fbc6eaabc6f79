/**
 * The demo's proof that nothing was lost, counted event by event against the seed: every seeded
 * event is in the archive (the exported `.gz` objects in S3) or still in CloudWatch, none is in
 * either place twice, and nothing appears that was never seeded. It reads the sandbox directly,
 * not cwl-trim's manifests or state, so it checks cwl-trim rather than trusting it.
 */
import { gunzipSync } from 'node:zlib';
import { EXPORT_WRITE_TEST_OBJECT } from '../constants.js';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';

interface GroupProof {
  readonly logGroupName: string;
  readonly seeded: number;
  /** Seeded events found in the archive, in CloudWatch, and in both (archived but not trimmed). */
  readonly archived: number;
  readonly inCloudWatch: number;
  readonly both: number;
  /** Seeded events found nowhere. */
  readonly lost: number;
  /** Seeded events found twice in the archive or twice in CloudWatch. */
  readonly duplicated: number;
  /** Events found that were never seeded. */
  readonly unexpected: number;
  readonly streamsBefore: number;
  readonly streamsAfter: number;
}

interface ArchiveObjects {
  /** Exported `.gz` objects, manifests, AWS's `aws-logs-write-test` markers, state objects, run reports, the rest. */
  readonly exports: number;
  readonly manifests: number;
  readonly markers: number;
  readonly reports: number;
  readonly state: number;
  readonly other: number;
  readonly exportedBytes: number;
  /** A few keys, one per kind, to show what the archive looks like. */
  readonly sampleKeys: readonly string[];
}

interface Proof {
  readonly groups: readonly GroupProof[];
  readonly total: Omit<GroupProof, 'logGroupName'>;
  readonly objects: ArchiveObjects;
  readonly nothingLost: boolean;
}

const keyOf = (group: string, stream: string, timestamp: number, message: string): string =>
  `${group}\u0000${stream}\u0000${timestamp}\u0000${message}`;

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function kindOf(key: string): 'exports' | 'manifests' | 'markers' | 'state' | 'reports' | 'other' {
  if (key.startsWith('state/')) return 'state';
  if (key.startsWith('reports/')) return 'reports';
  if (!key.startsWith('exports/')) return 'other';
  if (key.endsWith('.gz')) return 'exports';
  if (key.endsWith('/manifest.json')) return 'manifests';
  return key.endsWith(`/${EXPORT_WRITE_TEST_OBJECT}`) ? 'markers' : 'other';
}

/**
 * Every event in the exported objects, from the key layout AWS uses:
 * `<prefix>/exports/<group with / as ~>/<from>-<to>/<taskId>/<stream>/000000.gz`, lines `ISO message`.
 */
function archivedCounts(
  sandbox: Sandbox,
  bucket: string,
  prefix: string,
): { counts: Map<string, number>; objects: ArchiveObjects } {
  const counts = new Map<string, number>();
  const all = sandbox.objects(bucket, `${prefix}/`);
  const kinds = { exports: 0, manifests: 0, markers: 0, state: 0, reports: 0, other: 0, exportedBytes: 0 };
  const samples = new Map<string, string>();
  for (const object of all) {
    const rest = object.key.slice(prefix.length + 1);
    const kind = kindOf(rest);
    kinds[kind] += 1;
    if (!samples.has(kind)) samples.set(kind, object.key);
    if (kind !== 'exports') continue;
    kinds.exportedBytes += object.body.length;
    const parts = rest.split('/');
    const group = (parts[1] ?? '').replaceAll('~', '/');
    const stream = parts.slice(4, -1).join('/');
    for (const line of gunzipSync(object.body).toString('utf8').split('\n')) {
      if (line === '') continue;
      const space = line.indexOf(' ');
      bump(counts, keyOf(group, stream, Date.parse(line.slice(0, space)), line.slice(space + 1)));
    }
  }
  return { counts, objects: { ...kinds, sampleKeys: [...samples.values()] } };
}

function cloudWatchCounts(sandbox: Sandbox, groups: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const group of groups) {
    for (const stream of sandbox.streamNames(group)) {
      for (const e of sandbox.events(group, stream)) bump(counts, keyOf(group, stream, e.timestamp, e.message));
    }
  }
  return counts;
}

function proveGroup(
  group: string,
  streams: ReadonlyMap<string, readonly SeedEvent[]>,
  archive: Map<string, number>,
  cloudWatch: Map<string, number>,
  sandbox: Sandbox,
): GroupProof {
  const tally = { seeded: 0, archived: 0, inCloudWatch: 0, both: 0, lost: 0, duplicated: 0 };
  const seededKeys = new Set<string>();
  for (const [stream, events] of streams) {
    for (const e of events) {
      const key = keyOf(group, stream, e.timestamp, e.message);
      seededKeys.add(key);
      const a = archive.get(key) ?? 0;
      const c = cloudWatch.get(key) ?? 0;
      tally.seeded += 1;
      if (a > 0) tally.archived += 1;
      if (c > 0) tally.inCloudWatch += 1;
      if (a > 0 && c > 0) tally.both += 1;
      if (a === 0 && c === 0) tally.lost += 1;
      if (a > 1 || c > 1) tally.duplicated += 1;
    }
  }
  const mine = `${group}\u0000`;
  const unexpected = [...archive.keys(), ...cloudWatch.keys()].filter(
    (k) => k.startsWith(mine) && !seededKeys.has(k),
  ).length;
  return {
    logGroupName: group,
    ...tally,
    unexpected,
    streamsBefore: streams.size,
    streamsAfter: sandbox.streamNames(group).length,
  };
}

/**
 * Counts, group by group, where every seeded event is now.
 *
 * @example const proof = proveNothingLost(sandbox, 'cwl-trim-demo', 'cwl-archive', account.events);
 */
function proveNothingLost(
  sandbox: Sandbox,
  bucket: string,
  prefix: string,
  seeded: ReadonlyMap<string, ReadonlyMap<string, readonly SeedEvent[]>>,
): Proof {
  const { counts: archive, objects } = archivedCounts(sandbox, bucket, prefix);
  const cloudWatch = cloudWatchCounts(sandbox, [...seeded.keys()]);
  const groups = [...seeded].map(([group, streams]) => proveGroup(group, streams, archive, cloudWatch, sandbox));
  const sum = (key: keyof Omit<GroupProof, 'logGroupName'>): number => groups.reduce((n, g) => n + g[key], 0);
  const total = {
    seeded: sum('seeded'),
    archived: sum('archived'),
    inCloudWatch: sum('inCloudWatch'),
    both: sum('both'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    unexpected: sum('unexpected'),
    streamsBefore: sum('streamsBefore'),
    streamsAfter: sum('streamsAfter'),
  };
  return { groups, total, objects, nothingLost: total.lost === 0 && total.duplicated === 0 && total.unexpected === 0 };
}

export { proveNothingLost };
export type { ArchiveObjects, GroupProof, Proof };
