/**
 * `archive verify`'s judgement, over plain data: the group's index (state and manifests) against
 * what S3 lists under the group's exports folder. Pure.
 */
import { EXPORT_WRITE_TEST_OBJECT } from '../constants.js';
import type { CatchUpEntry, GroupIndex, ManifestObject } from './archiveIndex.js';
import { windowFindings } from './windowLayout.js';

/** One object as ListObjectsV2 returns it. */
interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag?: string;
}

interface VerifyProblem {
  readonly kind: 'state-unreadable' | 'manifest-missing' | 'manifest-invalid' | 'object-missing' | 'size-mismatch'
    | 'checksum-mismatch' | 'gap' | 'overlap' | 'watermark' | 'unlisted-object';
  readonly detail: string;
  readonly key?: string;
}

interface GroupVerification {
  readonly logGroupName: string;
  readonly windows: number;
  readonly objectsChecked: number;
  readonly bytesChecked: number;
  readonly problems: readonly VerifyProblem[];
  /** Facts that are not failures (an export in flight, checksums not recorded). */
  readonly notes: readonly string[];
}

const unquote = (etag: string | undefined): string | undefined => etag?.replace(/^"|"$/g, '');

/**
 * Every problem of one group's archive. `listed` is every object under `<prefix>/exports/<group>/`.
 *
 * @example verifyGroup(index, listedObjects).problems; // [] when the archive is whole
 */
function verifyGroup(index: GroupIndex, listed: readonly ListedObject[], catchUps: readonly CatchUpEntry[] = []): GroupVerification {
  const problems: VerifyProblem[] = [];
  const notes: string[] = [];
  if (index.stateProblem !== undefined) problems.push({ kind: 'state-unreadable', detail: index.stateProblem, key: index.stateKey });
  const byKey = new Map(listed.map((o) => [o.key, o]));
  const accounted = new Set<string>();
  let objectsChecked = 0;
  let bytesChecked = 0;
  let withoutChecksum = 0;
  /** One manifest's objects against the listing: present, same size, same ETag when recorded. */
  const checkObjects = (objects: readonly ManifestObject[], listedIn: string): void => {
    for (const object of objects) {
      accounted.add(object.key);
      const found = byKey.get(object.key);
      if (found === undefined) {
        problems.push({ kind: 'object-missing', detail: `listed in the manifest of ${listedIn}, absent from S3`, key: object.key });
        continue;
      }
      objectsChecked += 1;
      bytesChecked += found.size;
      // One problem per object: a different size already says the bytes changed.
      if (found.size !== object.size) {
        problems.push({ kind: 'size-mismatch', detail: `the manifest says ${object.size} bytes, S3 holds ${found.size}`, key: object.key });
      } else if (object.etag === undefined) withoutChecksum += 1;
      else if (unquote(object.etag) !== unquote(found.etag)) {
        problems.push({ kind: 'checksum-mismatch', detail: `the manifest records ETag ${object.etag}, S3 has ${found.etag ?? 'none'}`, key: object.key });
      }
    }
  };
  for (const entry of index.windows) {
    accounted.add(entry.manifestKey);
    if (entry.manifest === undefined) {
      const missing = entry.problem?.endsWith('is missing') === true;
      problems.push({ kind: missing ? 'manifest-missing' : 'manifest-invalid', detail: entry.problem ?? 'unreadable manifest', key: entry.manifestKey });
      continue;
    }
    if (entry.problem !== undefined) problems.push({ kind: 'manifest-invalid', detail: entry.problem, key: entry.manifestKey });
    for (const key of entry.manifest.partKeys ?? []) accounted.add(key);
    checkObjects(entry.manifest.objects, `task ${entry.window.taskId}`);
  }
  // Catch-ups of late writers sit under exports/ too, each with its manifest: checked the same way (not part of the tiling).
  for (const c of catchUps) {
    accounted.add(c.manifestKey);
    if (c.manifest === undefined) problems.push({ kind: 'manifest-invalid', detail: c.problem ?? 'unreadable manifest', key: c.manifestKey });
    else checkObjects(c.manifest.objects, `the catch-up of late events of ${c.manifest.logStreamName}`);
  }
  const state = index.state;
  for (const f of windowFindings(index.windows.map((w) => w.window), state?.archivedThroughMs)) {
    problems.push({ kind: f.kind === 'gap' || f.kind === 'overlap' ? f.kind : 'watermark', detail: f.detail });
  }
  const inFlight = state?.inFlight?.destinationPrefix;
  if (inFlight !== undefined) notes.push(`an export is in flight into ${inFlight}/ (objects there are not checked yet)`);
  for (const o of listed) {
    if (accounted.has(o.key) || o.key.endsWith(`/${EXPORT_WRITE_TEST_OBJECT}`)) continue;
    if (inFlight !== undefined && o.key.startsWith(`${inFlight}/`)) continue;
    problems.push({ kind: 'unlisted-object', detail: 'under exports/ but in no manifest', key: o.key });
  }
  if (withoutChecksum > 0) notes.push(`${withoutChecksum} objects have no checksum in their manifest: sizes checked only`);
  return { logGroupName: index.logGroupName, windows: index.windows.length, objectsChecked, bytesChecked, problems, notes };
}

export { verifyGroup };
export type { GroupVerification, ListedObject, VerifyProblem };
