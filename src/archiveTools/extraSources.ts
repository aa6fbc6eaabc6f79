/**
 * Events archived outside the export windows, and how `archive cat` finds them: one entry per layout
 * in {@link EXTRA_LAYOUTS}. To make cat (and restore, ls) read a new kind of object, add a layout
 * here: where its objects live under a group, and how a key names its stream and time span.
 *
 * Layouts read:
 * - `rejected`: `<prefix>/rejected/<group>/<stream, URI-encoded>/batch-<n>-<runId>.json.gz`, gzip JSON
 *   `{ logGroupName, logStreamName, reason, events: [{ timestamp, message }] }` — events PutLogEvents
 *   refused during a rebuild (src/trim/rebuildStream.ts). Their span is not in the key: read first.
 * - `late` (late writers caught up after their window was exported):
 *   `<prefix>/late/<group>/<stream, URI-encoded>/<fromMs>-<toMs>[-<anything>].json.gz`, the same JSON
 *   body as `rejected`; `<fromMs>-<toMs>` (epoch ms, inclusive) bounds the events' timestamps and lets
 *   cat skip objects outside the range. An object ending in `.gz` but not `.json.gz` is read as
 *   export lines (`<ISO-8601 UTC ms> <message>`). A key without the span is still read (span unknown).
 *   cwl-trim's own catch-ups of late writers (src/archive/catchUp.ts) are kind `late` too, read from
 *   their manifests under `<prefix>/exports/<group>/late/` (see readCatchUps): the manifest gives the
 *   stream and the span; an object there that no manifest lists is still read (span unknown).
 */
import { groupKey, streamNameOfKey } from '../archive/keys.js';
import { listObjects, type S3Deps } from '../archive/s3Objects.js';
import { catchUpListPrefix, readCatchUps, type IndexConfig } from './archiveIndex.js';
import { SourceFormat, type EventSource, type SourceFormatName } from './sources.js';

interface ExtraLayout {
  readonly kind: string;
  /** The folder holding one group's objects of this kind (ends with `/`). */
  readonly groupPrefix: (bucketPrefix: string, logGroupName: string) => string;
  /** The stream, format and span of one object, from the part of its key after `groupPrefix`; undefined to skip it. */
  readonly parse: (
    rest: string,
  ) => { logStreamName: string; format: SourceFormatName; fromMs?: number; toMs?: number } | undefined;
}

const formatOf = (name: string): SourceFormatName | undefined =>
  /\.json(\.gz)?$/.test(name) ? SourceFormat.JsonEvents : name.endsWith('.gz') ? SourceFormat.ExportLines : undefined;

/** `<stream>/<file>` with the stream URI-encoded (one path segment), as keys.ts writes it. */
function streamAndFile(rest: string): { logStreamName: string; file: string } | undefined {
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  try {
    return { logStreamName: streamNameOfKey(rest.slice(0, slash)), file: rest.slice(slash + 1) };
  } catch {
    return undefined; // not a key we wrote (bad URI encoding)
  }
}

const EXTRA_LAYOUTS: readonly ExtraLayout[] = [
  {
    kind: 'rejected',
    groupPrefix: (p, g) => `${p}/rejected/${groupKey(g)}/`,
    parse: (rest) => {
      const parts = streamAndFile(rest);
      return parts && parts.file.endsWith('.json.gz')
        ? { logStreamName: parts.logStreamName, format: SourceFormat.JsonEvents }
        : undefined;
    },
  },
  {
    kind: 'late',
    groupPrefix: (p, g) => `${p}/late/${groupKey(g)}/`,
    parse: (rest) => {
      const parts = streamAndFile(rest);
      const format = parts && formatOf(parts.file);
      if (!parts || !format) return undefined;
      const span = /^(\d+)-(\d+)(?:[-.]|$)/.exec(parts.file);
      return {
        logStreamName: parts.logStreamName,
        format,
        ...(span && { fromMs: Number(span[1]), toMs: Number(span[2]) }),
      };
    },
  },
];

/**
 * The objects of every extra layout for one group, as merge sources (span ±Infinity when the key does
 * not carry it). One listing per layout, paginated.
 *
 * @example const extra = await listExtraSources(deps, config, '/app/orders');
 */
async function listExtraSources(deps: S3Deps, config: IndexConfig, logGroupName: string): Promise<EventSource[]> {
  const found: EventSource[] = [];
  for (const layout of EXTRA_LAYOUTS) {
    const prefix = layout.groupPrefix(config.bucketPrefix, logGroupName);
    for (const o of await listObjects(deps, config.bucket, prefix)) {
      const parsed = o.Key === undefined ? undefined : layout.parse(o.Key.slice(prefix.length));
      if (!parsed) continue;
      found.push({
        kind: layout.kind,
        key: o.Key!,
        logStreamName: parsed.logStreamName,
        format: parsed.format,
        fromMs: parsed.fromMs ?? Number.NEGATIVE_INFINITY,
        toMs: parsed.toMs ?? Number.POSITIVE_INFINITY,
        ...(o.Size === undefined ? {} : { size: o.Size }),
      });
    }
  }
  found.push(...(await catchUpSources(deps, config, logGroupName)));
  return found;
}

/** The objects of the group's catch-ups, with the span and stream their manifests give. */
async function catchUpSources(deps: S3Deps, config: IndexConfig, logGroupName: string): Promise<EventSource[]> {
  const prefix = catchUpListPrefix(config, logGroupName);
  const sizes = new Map((await listObjects(deps, config.bucket, prefix)).map((o) => [o.Key ?? '', o.Size]));
  const found: EventSource[] = [];
  const listed = new Set<string>();
  for (const { manifest } of await readCatchUps(deps, config, logGroupName)) {
    for (const o of manifest?.objects ?? []) {
      listed.add(o.key);
      if (!sizes.has(o.key)) continue; // gone: archive verify says so
      found.push({
        kind: 'late',
        key: o.key,
        logStreamName: manifest!.logStreamName,
        format: SourceFormat.ExportLines,
        fromMs: manifest!.fromMs,
        toMs: manifest!.toMs,
        size: o.size,
      });
    }
  }
  for (const [key, size] of sizes) {
    // An object no readable manifest lists (its manifest lost): still read, its stream from the key (`…/<taskId>/<stream>/000000.gz`).
    const match = /\/late-events\/(.+)\/[^/]+\.gz$/.exec(key);
    if (listed.has(key) || !match) continue;
    found.push({
      kind: 'late',
      key,
      logStreamName: match[1]!,
      format: SourceFormat.ExportLines,
      fromMs: Number.NEGATIVE_INFINITY,
      toMs: Number.POSITIVE_INFINITY,
      ...(size === undefined ? {} : { size }),
    });
  }
  return found;
}

export { EXTRA_LAYOUTS, listExtraSources };
export type { ExtraLayout };
