/**
 * `archive verify`: read-only. Per group, the index (state + manifests, one GET each) against one
 * paginated listing of the group's exports folder (ListObjectsV2 gives every size and ETag, so no
 * object is downloaded). Every call goes through the limiters.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { groupKey, groupNameOfKey } from '../archive/keys.js';
import { listObjects, type S3Deps } from '../archive/s3Objects.js';
import { callAws } from '../aws/callAws.js';
import { listIndexedGroups, readCatchUps, readGroupIndex, type IndexConfig } from './archiveIndex.js';
import { verifyGroup, type GroupVerification } from './verifyFindings.js';

interface Verification {
  readonly ok: boolean;
  readonly bucket: string;
  readonly bucketPrefix: string;
  readonly groups: readonly GroupVerification[];
}

/** The folder names directly under a prefix (ListObjectsV2 with a delimiter, every page). */
async function listFolders(deps: S3Deps, bucket: string, prefix: string): Promise<string[]> {
  const folders: string[] = [];
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
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return folders;
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
    const listed = (await listObjects(deps, config.bucket, `${exportsPrefix(config)}${groupKey(name)}/`))
      .filter((o) => o.Key !== undefined)
      .map((o) => ({ key: o.Key!, size: o.Size ?? 0, ...(o.ETag === undefined ? {} : { etag: o.ETag }) }));
    const verified = verifyGroup(index, listed, await readCatchUps(deps, config, name));
    groups.push(
      index.state === undefined && index.stateProblem === undefined && logGroupName !== undefined && listed.length === 0
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
