/**
 * `archive verify`'s reads, with bounded memory whatever the archive's shape: each window's folder is
 * listed page by page (ListObjectsV2, 1,000 keys a call, every size and ETag) and joined with its
 * manifest's pages in key order (S3 lists in key order, the parts are in key order): the listing is
 * read only as far as the page being checked reaches, and an object matched leaves memory. What is
 * left over (unlisted objects) is what verifyFindings.ts judges with the rest. Read-only.
 */
import { listObjectPages, type S3Deps } from '../archive/s3Objects.js';
import { manifestSchema, readValidated, type IndexConfig, type WindowEntry } from './archiveIndex.js';
import { compareKeys } from './keyOrder.js';
import { checkObjects, type ListedObject, type ObjectTally } from './verifyFindings.js';
import { pagesOf, readPage } from './windowPages.js';

/** Every object under `prefix`, in S3's order, a listing page at a time. */
async function* listedUnder(deps: S3Deps, bucket: string, prefix: string): AsyncGenerator<ListedObject> {
  for await (const page of listObjectPages(deps, bucket, prefix)) {
    for (const o of page) {
      if (o.Key !== undefined)
        yield { key: o.Key, size: o.Size ?? 0, ...(o.ETag === undefined ? {} : { etag: o.ETag }) };
    }
  }
}

/** A listing read on demand up to a key, its objects held until matched. */
class ListingCursor {
  readonly #listing: AsyncGenerator<ListedObject>;
  /** Listed, not matched yet. */
  public readonly pending = new Map<string, ListedObject>();
  #done = false;
  #head: ListedObject | undefined;

  public constructor(listing: AsyncGenerator<ListedObject>) {
    this.#listing = listing;
  }

  /** Reads the listing up to `key` included (to its end when undefined). */
  public async readThrough(key?: string): Promise<void> {
    for (;;) {
      if (this.#head === undefined && !this.#done) {
        const step = await this.#listing.next();
        if (step.done === true) this.#done = true;
        else this.#head = step.value;
      }
      const head = this.#head;
      if (head === undefined || (key !== undefined && compareKeys(head.key, key) > 0)) return;
      this.pending.set(head.key, head);
      this.#head = undefined;
    }
  }
}

/** The greatest key of a page, in S3's order. */
const lastKey = (objects: readonly { key: string }[]): string | undefined =>
  objects.reduce<string | undefined>(
    (max, o) => (max === undefined || compareKeys(o.key, max) > 0 ? o.key : max),
    undefined,
  );

/**
 * Checks one window's objects against its folder's listing, page by page, into `tally`; returns the
 * objects listed there that no page matched. A part that cannot be read is one problem, and the objects
 * of its key range are not reported unlisted (the part names them; they are unchecked, not unknown).
 *
 * @example const leftOver = await verifyWindow(deps, config, entry, tally);
 */
async function verifyWindow(
  deps: S3Deps,
  config: IndexConfig,
  entry: WindowEntry,
  tally: ObjectTally,
): Promise<ListedObject[]> {
  const cursor = new ListingCursor(listedUnder(deps, config.bucket, `${entry.window.destinationPrefix}/`));
  const { value: manifest } = await readValidated(deps, config.bucket, entry.manifestKey, manifestSchema);
  for (const page of manifest ? pagesOf(manifest) : []) {
    const { objects, problem } = await readPage(deps, config.bucket, page);
    if (problem !== undefined && page.kind === 'part') {
      tally.problems.push({
        kind: 'manifest-invalid',
        detail: `${problem}: its ${page.count} objects (${page.first} … ${page.last}) cannot be checked`,
        key: page.key,
      });
      await cursor.readThrough(page.last);
      for (const key of [...cursor.pending.keys()])
        if (compareKeys(key, page.first) >= 0 && compareKeys(key, page.last) <= 0) cursor.pending.delete(key);
      continue;
    }
    const last = lastKey(objects);
    if (last === undefined) continue; // an empty page: nothing to read the listing up to
    await cursor.readThrough(last);
    checkObjects(tally, cursor.pending, objects, `task ${entry.window.taskId}`);
    for (const o of objects) cursor.pending.delete(o.key);
  }
  await cursor.readThrough();
  return [...cursor.pending.values()];
}

export { listedUnder, verifyWindow };
