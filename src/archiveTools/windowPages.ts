/**
 * A window's objects, a page at a time: a small export's manifest lists them inline (one page), a
 * large one in parts of 10,000 beside it (src/archive/exportManifest.ts), one page each. Every command
 * that reads objects reads them through here, one page in memory at a time, so that a window of a
 * million streams never holds its million objects (about 470 bytes each) at once.
 */
import { z } from 'zod';
import { manifestKey } from '../archive/keys.js';
import { partsOverlapping } from '../archive/exportManifest.js';
import type { S3Deps } from '../archive/s3Objects.js';
import {
  manifestObjectSchema,
  manifestProblem,
  manifestSchema,
  readValidated,
  withoutObjects,
  type IndexConfig,
  type ManifestObject,
  type ManifestRead,
  type StateWindow,
} from './archiveIndex.js';
import type { EventQuery } from './sources.js';

/** One part of a large manifest: its key, the first and last object key it lists, how many. */
interface PartRef {
  readonly key: string;
  readonly first: string;
  readonly last: string;
  readonly count: number;
}

/** A page of a window's objects, before it is read: the manifest's inline objects, or one of its parts. */
type PageRef =
  | { readonly kind: 'inline'; readonly objects: readonly ManifestObject[]; readonly count: number }
  | ({ readonly kind: 'part' } & PartRef);

/** A window's pages, or why its manifest cannot be read. */
interface WindowPages {
  readonly pages: readonly PageRef[];
  /** The manifest's own object count, all pages included. */
  readonly objectCount: number;
  readonly problem?: string;
}

const partSchema = z.object({ objects: z.array(manifestObjectSchema) });

/**
 * Reads a window's manifest (one GET) and returns its pages, those that cannot hold the query's
 * streams left out (parts are in key order, each with its first and last key). `problem` when the
 * manifest is missing, malformed or disagrees with the state: then there is no page.
 *
 * @example const { pages, problem } = await windowPages(deps, config, window, { stream: 'worker-1' });
 */
async function windowPages(
  deps: S3Deps,
  config: IndexConfig,
  window: StateWindow,
  query: EventQuery = {},
): Promise<WindowPages> {
  const key = manifestKey(window.destinationPrefix);
  const { value: read, problem } = await readValidated(deps, config.bucket, key, manifestSchema);
  const disagreement = problem ?? (read && manifestProblem(window, withoutObjects(read)));
  if (read === undefined || disagreement !== undefined)
    return { pages: [], objectCount: 0, problem: disagreement ?? 'unreadable manifest' };
  const pages = pagesOf(read, query);
  return { pages, objectCount: withoutObjects(read).objectCount };
}

/**
 * A manifest's pages, pure: its inline objects, then the parts that can hold the query's streams.
 *
 * @example pagesOf(manifest, { streamPrefix: 'worker-' }).length; // the parts whose key range meets worker-…
 */
function pagesOf(read: ManifestRead, query: EventQuery = {}): PageRef[] {
  const pages: PageRef[] = [];
  if (read.objects !== undefined) pages.push({ kind: 'inline', objects: read.objects, count: read.objects.length });
  const parts = read.parts ?? [];
  const prefix = query.stream !== undefined ? `${query.stream}/` : query.streamPrefix;
  const taskPrefix = `${read.destinationPrefix}/${read.taskId}/`;
  const wanted =
    prefix === undefined ? parts : partsOverlapping(parts, `${taskPrefix}${prefix}`, `${taskPrefix}${prefix}\uffff`);
  for (const part of wanted) pages.push({ kind: 'part', ...part });
  return pages;
}

/**
 * A page's objects: the inline ones, or the part read now (one GET). `problem` when the part is
 * missing, malformed or lists another count than the manifest says: then its objects cannot be trusted,
 * and none is returned.
 *
 * @example const { objects, problem } = await readPage(deps, 'my-archive', page);
 */
async function readPage(
  deps: S3Deps,
  bucket: string,
  page: PageRef,
): Promise<{ objects: readonly ManifestObject[]; problem?: string }> {
  if (page.kind === 'inline') return { objects: page.objects };
  const { value, problem } = await readValidated(deps, bucket, page.key, partSchema);
  if (value === undefined) return { objects: [], problem: `manifest part ${problem ?? page.key}` };
  if (value.objects.length !== page.count) {
    return {
      objects: [],
      problem: `manifest part s3://${bucket}/${page.key} lists ${value.objects.length} objects, the manifest says ${page.count}`,
    };
  }
  return { objects: value.objects };
}

export { pagesOf, readPage, windowPages };
export type { PageRef, PartRef, WindowPages };
