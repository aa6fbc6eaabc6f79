/**
 * The walk a selection makes over an account, as src/aws/inventory.ts composes it from the pure
 * decisions (which listings, which of them a resumed walk passes over, which listed groups it takes),
 * over a literal account listed as DescribeLogGroups does: by name prefix, in ascending name order.
 */
import { describe, expect, it } from 'vitest';
import { LOCK_GROUP_NAME } from '../../../src/plan/lockState.js';
import { itemIsBehind, walkItems, walkTakes, type WalkItem } from '../../../src/plan/selectionWalk.js';
import type { GroupSelection } from '../../../src/types.js';

const selection = (s: Partial<GroupSelection>): GroupSelection => ({
  names: [],
  prefixes: [],
  excludePrefixes: [],
  ...s,
});

/** DescribeLogGroups for one listing: every group, or those whose name starts with the prefix (or the name). */
const listing = (account: readonly string[], item: WalkItem): string[] =>
  [...account]
    .sort()
    .filter((n) => item.kind === 'all' || n.startsWith(item.kind === 'prefix' ? item.prefix : item.name));

/** The groups a run walks, in order, resumed after `afterName` when given. */
function walk(account: readonly string[], s: GroupSelection, afterName?: string): string[] {
  const taken: string[] = [];
  for (const item of walkItems(s)) {
    if (afterName !== undefined && itemIsBehind(item, afterName)) continue;
    for (const name of listing(account, item)) if (walkTakes(item, s, name, afterName)) taken.push(name);
  }
  return taken;
}

/** Runs that each finish `perRun` groups, every one resuming after the last group of the run before. */
function chainedWalk(account: readonly string[], s: GroupSelection, perRun: number): string[] {
  const done: string[] = [];
  for (let run = 0; run < 100; run++) {
    const next = walk(account, s, done.at(-1)).slice(0, perRun);
    if (next.length === 0) return done;
    done.push(...next);
  }
  throw new Error('the chain never ended');
}

const ACCOUNT = [
  '/0',
  '/a/m',
  '/a/x/1',
  '/a/y',
  '/aa',
  '/b/1',
  '/b/2',
  '/b/tmp/1',
  '/c',
  '/c2',
  '/d',
  LOCK_GROUP_NAME,
  'no-slash',
];

// Prefixes and names given out of order, one name under a selected prefix: the walk must still be in name order.
const MIXED = selection({ prefixes: ['/b/', '/a/'], names: ['/c', '/0', '/a/y'], excludePrefixes: ['/b/tmp'] });
const MIXED_GROUPS = ['/0', '/a/m', '/a/x/1', '/a/y', '/b/1', '/b/2', '/c'];

describe('the walk of a selection over an account', () => {
  it('takes the selected groups in ascending name order, each once, whatever the order of the settings', () => {
    expect(walk(ACCOUNT, MIXED)).toEqual(MIXED_GROUPS);
    expect(
      walk(ACCOUNT, selection({ prefixes: ['/c', '/a/'], names: ['/0', '/d', '/b/2'], excludePrefixes: [] })),
    ).toEqual(['/0', '/a/m', '/a/x/1', '/a/y', '/b/2', '/c', '/c2', '/d']);
  });

  it('walks only the prefixes of a selection of prefixes, and only the names of a selection of names', () => {
    expect(walk(ACCOUNT, selection({ prefixes: ['/b/'] }))).toEqual(['/b/1', '/b/2', '/b/tmp/1']);
    expect(walkItems(selection({ prefixes: ['/b/'] }))).toEqual([{ kind: 'prefix', prefix: '/b/' }]);
    expect(walk(ACCOUNT, selection({ names: ['/d', '/c'] }))).toEqual(['/c', '/d']);
    expect(walkItems(selection({ names: ['/d', '/c'] }))).toEqual([
      { kind: 'name', name: '/c' },
      { kind: 'name', name: '/d' },
    ]);
  });

  it("walks every group but the lock group when the selection names none (or names '/')", () => {
    const everyGroup = ACCOUNT.filter((n) => n !== LOCK_GROUP_NAME).sort();
    expect(walk(ACCOUNT, selection({}))).toEqual(everyGroup);
    expect(walk(ACCOUNT, selection({ prefixes: ['/'], names: ['/c'] }))).toEqual(everyGroup);
  });

  it('resumed after any group, takes exactly the selected groups after it', () => {
    for (const [i, after] of MIXED_GROUPS.entries()) {
      expect(walk(ACCOUNT, MIXED, after), `after ${after}`).toEqual(MIXED_GROUPS.slice(i + 1));
    }
  });

  it('cut short after any number of groups and resumed run after run, neither skips nor repeats a group', () => {
    for (let perRun = 1; perRun <= MIXED_GROUPS.length; perRun++) {
      expect(chainedWalk(ACCOUNT, MIXED, perRun), `${perRun} a run`).toEqual(MIXED_GROUPS);
    }
  });
});
