import type { GroupSelection } from '../types.js';
import { LOCK_GROUP_NAME } from './lockState.js';

/** As a prefix, selects every group on purpose (group names need not start with `/`). */
const ALL_GROUPS_PREFIX = '/';

/** One DescribeLogGroups listing of the walk: a name prefix, an exact name, or every group. */
type WalkItem =
  | { readonly kind: 'all' }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'name'; readonly name: string };

const itemKey = (item: WalkItem): string =>
  item.kind === 'all' ? '' : item.kind === 'prefix' ? item.prefix : item.name;

/**
 * The listings that walk a selection in ascending name order, each group once: every group (the `/`
 * prefix, or a tag alone), else the prefixes and exact names not covered by another prefix, sorted.
 * Two prefixes where neither starts with the other select disjoint ranges of names, in the order of
 * the prefixes, so the walk's order is the names' order and "every group up to X is done" is a cursor.
 *
 * @example walkItems({ names: ['b'], prefixes: ['/aws/'], excludePrefixes: [] }) // [prefix /aws/, name b]
 */
function walkItems(selection: GroupSelection): WalkItem[] {
  const everything =
    selection.prefixes.includes(ALL_GROUPS_PREFIX) || (selection.names.length === 0 && selection.prefixes.length === 0);
  if (everything) return [{ kind: 'all' }];
  const prefixes = [...new Set(selection.prefixes)];
  const covered = (s: string, self?: string): boolean => prefixes.some((p) => p !== self && s.startsWith(p));
  const items: WalkItem[] = [
    ...prefixes.filter((p) => !covered(p, p)).map((prefix) => ({ kind: 'prefix', prefix }) as const),
    ...[...new Set(selection.names)].filter((n) => !covered(n)).map((name) => ({ kind: 'name', name }) as const),
  ];
  return items.sort((a, b) => (itemKey(a) < itemKey(b) ? -1 : itemKey(a) > itemKey(b) ? 1 : 0));
}

/**
 * Whether a walk resumed after `afterName` can skip a listing: every name it can yield sorts at or
 * before `afterName` (a prefix whose range lies wholly before it, or an exact name before it).
 */
function itemIsBehind(item: WalkItem, afterName: string): boolean {
  if (item.kind === 'all') return false;
  if (item.kind === 'name') return item.name <= afterName;
  return item.prefix < afterName && !afterName.startsWith(item.prefix);
}

/**
 * Whether the walk yields this group: selected by its item, not excluded, after the cursor, and not
 * cwl-trim's own lock group (whatever the selection: its streams are other runs' locks).
 */
function walkTakes(item: WalkItem, selection: GroupSelection, name: string, afterName?: string): boolean {
  if (item.kind === 'name' && name !== item.name) return false;
  if (name === LOCK_GROUP_NAME) return false;
  if (selection.excludePrefixes.some((p) => name.startsWith(p))) return false;
  return afterName === undefined || name > afterName;
}

/** Stable text of a selection, so a saved walk is only resumed for the selection it was made for. */
function selectionKey(selection: GroupSelection): string {
  return JSON.stringify({
    names: [...selection.names].sort(),
    prefixes: [...selection.prefixes].sort(),
    excludePrefixes: [...selection.excludePrefixes].sort(),
    tag: selection.tag ?? null,
  });
}

/**
 * Where a walk can resume once some of the groups it started are finished: after the last group of
 * the longest finished run from the start of `started` (names in walk order). Groups after a group
 * still at work are done again by the next run (their listing cursors say where), never skipped.
 *
 * @example resumeAfter(['a', 'b', 'c'], new Set(['a', 'c'])) === 'a'
 */
function resumeAfter(started: readonly string[], finished: ReadonlySet<string>): string | undefined {
  let after: string | undefined;
  for (const name of started) {
    if (!finished.has(name)) break;
    after = name;
  }
  return after;
}

/** A walk item as text, so that a saved page token is only used again for the listing it came from. */
const walkItemKey = (item: WalkItem): string =>
  item.kind === 'all' ? 'all' : item.kind === 'prefix' ? `prefix:${item.prefix}` : `name:${item.name}`;

export { ALL_GROUPS_PREFIX, itemIsBehind, resumeAfter, selectionKey, walkItemKey, walkItems, walkTakes };
export type { WalkItem };
