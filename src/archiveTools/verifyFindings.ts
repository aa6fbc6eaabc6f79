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
  readonly kind:
    | 'state-unreadable'
    | 'manifest-missing'
    | 'manifest-invalid'
    | 'object-missing'
    | 'size-mismatch'
    | 'checksum-mismatch'
    | 'gap'
    | 'overlap'
    | 'watermark'
    | 'unlisted-object';
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

/** What the objects' checks found so far, over every manifest of the group. */
interface ObjectTally {
  readonly problems: VerifyProblem[];
  /** Keys the group's manifests account for besides the objects matched page by page: manifests, their parts, catch-ups' objects. */
  readonly accounted: Set<string>;
  objectsChecked: number;
  bytesChecked: number;
  withoutChecksum: number;
}

const newTally = (): ObjectTally => ({
  problems: [],
  accounted: new Set(),
  objectsChecked: 0,
  bytesChecked: 0,
  withoutChecksum: 0,
});

/** One manifest's objects (or a page of them) against the listing: present, same size, same ETag when recorded. */
function checkObjects(
  tally: ObjectTally,
  byKey: ReadonlyMap<string, ListedObject>,
  objects: readonly ManifestObject[],
  listedIn: string,
): void {
  for (const object of objects) {
    const found = byKey.get(object.key);
    if (found === undefined) {
      tally.problems.push({
        kind: 'object-missing',
        detail: `listed in the manifest of ${listedIn}, absent from S3`,
        key: object.key,
      });
      continue;
    }
    tally.objectsChecked += 1;
    tally.bytesChecked += found.size;
    // One problem per object: a different size already says the bytes changed.
    if (found.size !== object.size) {
      tally.problems.push({
        kind: 'size-mismatch',
        detail: `the manifest says ${object.size} bytes, S3 holds ${found.size}`,
        key: object.key,
      });
    } else if (object.etag === undefined) tally.withoutChecksum += 1;
    else if (unquote(object.etag) !== unquote(found.etag)) {
      tally.problems.push({
        kind: 'checksum-mismatch',
        detail: `the manifest records ETag ${object.etag}, S3 has ${found.etag ?? 'none'}`,
        key: object.key,
      });
    }
  }
}

/**
 * Every window's manifest (its objects are checked page by page before, verifyArchive.ts), then the
 * catch-ups of late writers (under exports/ too, each with its manifest; not part of the tiling).
 */
function checkManifests(
  tally: ObjectTally,
  index: GroupIndex,
  listed: readonly ListedObject[],
  catchUps: readonly CatchUpEntry[],
): void {
  const byKey = new Map(listed.map((o) => [o.key, o]));
  for (const entry of index.windows) {
    tally.accounted.add(entry.manifestKey);
    if (entry.manifest === undefined) {
      const missing = entry.problem?.endsWith('is missing') === true;
      tally.problems.push({
        kind: missing ? 'manifest-missing' : 'manifest-invalid',
        detail: entry.problem ?? 'unreadable manifest',
        key: entry.manifestKey,
      });
      continue;
    }
    if (entry.problem !== undefined)
      tally.problems.push({ kind: 'manifest-invalid', detail: entry.problem, key: entry.manifestKey });
    for (const key of entry.manifest.partKeys ?? []) tally.accounted.add(key);
  }
  for (const c of catchUps) {
    tally.accounted.add(c.manifestKey);
    if (c.manifest === undefined)
      tally.problems.push({ kind: 'manifest-invalid', detail: c.problem ?? 'unreadable manifest', key: c.manifestKey });
    else {
      for (const o of c.manifest.objects) tally.accounted.add(o.key);
      checkObjects(tally, byKey, c.manifest.objects, `the catch-up of late events of ${c.manifest.logStreamName}`);
    }
  }
}

/**
 * Every problem of one group's archive. `tally` holds what the windows' objects' checks found (page by
 * page, with `checkObjects`); `listed` is every object under `<prefix>/exports/<group>/` that no window's
 * manifest matched (each is unlisted unless a manifest, a part, a catch-up or the export in flight accounts for it).
 *
 * @example verifyGroup(index, leftOverObjects, catchUps, tally).problems; // [] when the archive is whole
 */
function verifyGroup(
  index: GroupIndex,
  listed: readonly ListedObject[],
  catchUps: readonly CatchUpEntry[] = [],
  tally: ObjectTally = newTally(),
): GroupVerification {
  const objectProblems = tally.problems.splice(0);
  const { problems } = tally;
  const notes: string[] = [];
  if (index.stateProblem !== undefined)
    problems.push({ kind: 'state-unreadable', detail: index.stateProblem, key: index.stateKey });
  checkManifests(tally, index, listed, catchUps);
  // The manifests' problems first, then their objects', as one pass over each window would list them.
  problems.push(...objectProblems);
  const state = index.state;
  for (const f of windowFindings(
    index.windows.map((w) => w.window),
    state?.archivedThroughMs,
  )) {
    problems.push({ kind: f.kind === 'gap' || f.kind === 'overlap' ? f.kind : 'watermark', detail: f.detail });
  }
  const inFlight = state?.inFlight?.destinationPrefix;
  if (inFlight !== undefined)
    notes.push(`an export is in flight into ${inFlight}/ (objects there are not checked yet)`);
  for (const o of listed) {
    if (tally.accounted.has(o.key) || o.key.endsWith(`/${EXPORT_WRITE_TEST_OBJECT}`)) continue;
    if (inFlight !== undefined && o.key.startsWith(`${inFlight}/`)) continue;
    problems.push({ kind: 'unlisted-object', detail: 'under exports/ but in no manifest', key: o.key });
  }
  if (tally.withoutChecksum > 0)
    notes.push(`${tally.withoutChecksum} objects have no checksum in their manifest: sizes checked only`);
  return {
    logGroupName: index.logGroupName,
    windows: index.windows.length,
    objectsChecked: tally.objectsChecked,
    bytesChecked: tally.bytesChecked,
    problems,
    notes,
  };
}

export { checkObjects, newTally, verifyGroup };
export type { GroupVerification, ListedObject, ObjectTally, VerifyProblem };
