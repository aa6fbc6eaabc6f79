/**
 * `archive verify`: read-only. Per group, the index (state + manifests, one GET each) against
 * paginated listings of the group's exports folder (ListObjectsV2 gives every size and ETag, so no
 * object is downloaded): each window's folder joined with its manifest a page at a time
 * (verifyWindows.ts), then the other folders (catch-ups, anything else). Every call goes through the limiters.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { groupKey, groupNameOfKey } from '../archive/keys.js';
import type { S3Deps } from '../archive/s3Objects.js';
import { callAws } from '../aws/callAws.js';
import { listIndexedGroups, readCatchUps, readGroupIndex, type GroupIndex, type IndexConfig } from './archiveIndex.js';
import { newTally, verifyGroup, type GroupVerification, type ListedObject } from './verifyFindings.js';
import { listedUnder, verifyWindow } from './verifyWindows.js';

interface Verification {
  readonly ok: boolean;
  readonly bucket: string;
  readonly bucketPrefix: string;
  readonly groups: readonly GroupVerification[];
}

/** The folder names directly under a prefix (ListObjectsV2 with a delimiter, every page). */
async function listFolders(deps: S3Deps, bucket: string, prefix: string): Promise<string[]> {
  return (await listLevel(deps, bucket, prefix)).folders;
}

/** The folders (names) and the objects directly under a prefix (ListObjectsV2 with a delimiter, every page). */
async function listLevel(
  deps: S3Deps,
  bucket: string,
  prefix: string,
): Promise<{ folders: string[]; objects: ListedObject[] }> {
  const folders: string[] = [];
  const objects: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await callAws(deps.call, 'ListObjectsV2', () =>
      deps.clients.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          Delimiter: '/',
          ...(token ? { ContinuationToken: token } : {}),
        }),
      ),
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) folders.push(p.Prefix.slice(prefix.length, -1));
    for (const o of page.Contents ?? [])
      if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0, ...(o.ETag === undefined ? {} : { etag: o.ETag }) });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { folders, objects };
}

/**
 * One group: every window's objects page by page, then what the other folders hold (the catch-ups', or
 * unlisted). The folder of the export in flight is not listed: its objects are not checked yet.
 */
async function verifyOne(
  deps: S3Deps,
  config: IndexConfig,
  index: GroupIndex,
): Promise<GroupVerification & { empty: boolean }> {
  const groupPrefix = `${exportsPrefix(config)}${groupKey(index.logGroupName)}/`;
  const tally = newTally();
  const leftOver: ListedObject[] = [];
  const windowFolders = new Set<string>();
  for (const entry of index.windows) {
    const folder = `${entry.window.destinationPrefix}/`;
    if (windowFolders.has(folder)) continue;
    windowFolders.add(folder);
    leftOver.push(...(await verifyWindow(deps, config, entry, tally)));
  }
  const level = await listLevel(deps, config.bucket, groupPrefix);
  leftOver.push(...level.objects);
  const inFlight = index.state?.inFlight?.destinationPrefix;
  for (const name of level.folders) {
    const folder = `${groupPrefix}${name}/`;
    if (windowFolders.has(folder) || folder === `${inFlight}/`) continue;
    for await (const o of listedUnder(deps, config.bucket, folder)) leftOver.push(o);
  }
  const verified = verifyGroup(index, leftOver, await readCatchUps(deps, config, index.logGroupName), tally);
  return { ...verified, empty: level.folders.length === 0 && level.objects.length === 0 };
}

const exportsPrefix = (config: IndexConfig): string => `${config.bucketPrefix}/exports/`;

/** Every group with a state object or an exports folder. */
async function archivedGroups(deps: S3Deps, config: IndexConfig): Promise<string[]> {
  const indexed = await listIndexedGroups(deps, config);
  const folders = (await listFolders(deps, config.bucket, exportsPrefix(config))).map(groupNameOfKey);
  return [...new Set([...indexed, ...folders])].sort();
}

/**
 * Verifies one group, or every archived group. `ok` is true only when no group has a problem.
 *
 * @example const { ok } = await verifyArchive(deps, config); process.exitCode = ok ? 0 : 1;
 */
async function verifyArchive(deps: S3Deps, config: IndexConfig, logGroupName?: string): Promise<Verification> {
  const names = logGroupName === undefined ? await archivedGroups(deps, config) : [logGroupName];
  const groups: GroupVerification[] = [];
  for (const name of names) {
    const index = await readGroupIndex(deps, config, name);
    const { empty, ...verified } = await verifyOne(deps, config, index);
    groups.push(
      index.state === undefined && index.stateProblem === undefined && logGroupName !== undefined && empty
        ? {
            ...verified,
            problems: [
              {
                kind: 'state-unreadable',
                detail: `${name} has no archive under s3://${config.bucket}/${config.bucketPrefix}/`,
                key: index.stateKey,
              },
            ],
          }
        : verified,
    );
  }
  return {
    ok: groups.every((g) => g.problems.length === 0),
    bucket: config.bucket,
    bucketPrefix: config.bucketPrefix,
    groups,
  };
}

/** The verification for people: a line per group, a line per problem, and the verdict. */
function renderVerification(v: Verification): string {
  const lines: string[] = [];
  for (const g of v.groups) {
    const status = g.problems.length === 0 ? 'ok' : `${g.problems.length} problem${g.problems.length === 1 ? '' : 's'}`;
    lines.push(
      `${g.logGroupName}: ${g.windows} windows, ${g.objectsChecked} objects (${g.bytesChecked.toLocaleString('en-US')} bytes) checked — ${status}`,
    );
    for (const p of g.problems)
      lines.push(`  ✗ ${p.kind}: ${p.detail}${p.key === undefined ? '' : ` (s3://${v.bucket}/${p.key})`}`);
    for (const n of g.notes) lines.push(`  · ${n}`);
  }
  if (v.groups.length === 0) lines.push(`nothing archived under s3://${v.bucket}/${v.bucketPrefix}/`);
  lines.push(
    v.ok
      ? 'archive verified: every listed object is present with its size, windows are contiguous, nothing unlisted.'
      : 'archive NOT verified: see the problems above.',
  );
  return `${lines.join('\n')}\n`;
}

export { archivedGroups, listFolders, renderVerification, verifyArchive };
export type { Verification };
