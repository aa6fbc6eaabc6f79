/**
 * `archive ls`: what the archive holds per group, from the index (no export object is read): windows,
 * watermark, rebuild journals left in flight, events kept outside exports (rejected, late), and the
 * gaps and overlaps between windows.
 */
import { groupKey, journalListPrefix, streamNameOfKey } from '../archive/keys.js';
import { listObjects, type S3Deps } from '../archive/s3Objects.js';
import { readGroupIndex, type IndexConfig } from './archiveIndex.js';
import { listExtraSources } from './extraSources.js';
import { archivedGroups } from './verifyArchive.js';
import { windowFindings, type LayoutFinding } from './windowLayout.js';

interface ListedWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly taskId: string;
  readonly objects: number;
  readonly bytes: number;
  /** When the manifest was written (the export verified), else when the task was created. */
  readonly exportedAtMs: number;
  readonly problem?: string;
}

interface GroupListing {
  readonly logGroupName: string;
  readonly archivedThroughMs?: number;
  readonly windows: readonly ListedWindow[];
  readonly inFlight?: { readonly fromMs: number; readonly toMs: number; readonly taskId?: string };
  /** Streams with a rebuild journal (a rebuild in progress or interrupted). */
  readonly journals: readonly string[];
  /** Objects kept outside exports, by kind (`rejected`, `late`). */
  readonly extra: Readonly<Record<string, { readonly objects: number; readonly bytes: number }>>;
  readonly findings: readonly LayoutFinding[];
}

interface Listing {
  readonly bucket: string;
  readonly bucketPrefix: string;
  readonly groups: readonly GroupListing[];
}

async function journalsOf(deps: S3Deps, config: IndexConfig, logGroupName: string): Promise<string[]> {
  const prefix = `${journalListPrefix(config.bucketPrefix)}${groupKey(logGroupName)}/`;
  const keys = (await listObjects(deps, config.bucket, prefix)).map((o) => o.Key ?? '');
  return [
    ...new Set(
      keys
        .filter((k) => k.endsWith('/manifest.json'))
        .map((k) => streamNameOfKey(k.slice(prefix.length, -'/manifest.json'.length))),
    ),
  ].sort();
}

async function listGroup(deps: S3Deps, config: IndexConfig, logGroupName: string): Promise<GroupListing> {
  const index = await readGroupIndex(deps, config, logGroupName);
  const windows = index.windows.map((w) => ({
    fromMs: w.window.fromMs,
    toMs: w.window.toMs,
    taskId: w.window.taskId,
    objects: w.manifest?.objectCount ?? w.window.objectCount,
    bytes: w.window.bytes,
    exportedAtMs: w.manifest?.verifiedAtMs ?? w.window.taskCreatedAtMs,
    ...(w.problem === undefined ? {} : { problem: w.problem }),
  }));
  const extra: Record<string, { objects: number; bytes: number }> = {};
  for (const s of await listExtraSources(deps, config, logGroupName)) {
    const kind = (extra[s.kind] ??= { objects: 0, bytes: 0 });
    kind.objects += 1;
    kind.bytes += s.size ?? 0;
  }
  const inFlight = index.state?.inFlight;
  return {
    logGroupName,
    ...(index.state?.archivedThroughMs === undefined ? {} : { archivedThroughMs: index.state.archivedThroughMs }),
    windows,
    ...(inFlight && {
      inFlight: {
        fromMs: inFlight.fromMs,
        toMs: inFlight.toMs,
        ...(inFlight.taskId === undefined ? {} : { taskId: inFlight.taskId }),
      },
    }),
    journals: await journalsOf(deps, config, logGroupName),
    extra,
    findings: windowFindings(windows, index.state?.archivedThroughMs),
  };
}

/**
 * Lists one group, or every archived group.
 *
 * @example const listing = await listArchive(deps, config, '/app/orders');
 */
async function listArchive(deps: S3Deps, config: IndexConfig, logGroupName?: string): Promise<Listing> {
  const names = logGroupName === undefined ? await archivedGroups(deps, config) : [logGroupName];
  const groups: GroupListing[] = [];
  for (const name of names) groups.push(await listGroup(deps, config, name));
  return { bucket: config.bucket, bucketPrefix: config.bucketPrefix, groups };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The listing for people. */
function renderListing(listing: Listing): string {
  const lines: string[] = [];
  for (const g of listing.groups) {
    lines.push(
      `${g.logGroupName}  archived through ${g.archivedThroughMs === undefined ? '(nothing yet)' : iso(g.archivedThroughMs)}`,
    );
    for (const w of g.windows) {
      lines.push(
        `  ${iso(w.fromMs)} – ${iso(w.toMs)}  task ${w.taskId}  ${w.objects} objects  ${w.bytes.toLocaleString('en-US')} bytes  exported ${iso(w.exportedAtMs)}${w.problem ? `  ✗ ${w.problem}` : ''}`,
      );
    }
    if (g.inFlight)
      lines.push(
        `  export in flight: ${iso(g.inFlight.fromMs)} – ${iso(g.inFlight.toMs)}${g.inFlight.taskId ? ` (task ${g.inFlight.taskId})` : ''}`,
      );
    if (g.journals.length > 0) lines.push(`  rebuild journals: ${g.journals.join(', ')}`);
    for (const [kind, n] of Object.entries(g.extra))
      lines.push(`  ${kind} events: ${n.objects} objects, ${n.bytes.toLocaleString('en-US')} bytes`);
    for (const f of g.findings) lines.push(`  ✗ ${f.kind}: ${f.detail}`);
    if (g.findings.length === 0 && g.windows.length > 0) lines.push('  windows contiguous up to the watermark');
  }
  if (listing.groups.length === 0) lines.push(`nothing archived under s3://${listing.bucket}/${listing.bucketPrefix}/`);
  return `${lines.join('\n')}\n`;
}

export { listArchive, renderListing };
export type { GroupListing, ListedWindow, Listing };
