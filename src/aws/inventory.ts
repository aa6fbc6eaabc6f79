import {
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  ListTagsForResourceCommand,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import { loadGroupState } from '../archive/stateStore.js';
import type { Deps } from '../deps.js';
import { concurrencyFor, forEachLimited } from '../execute/pool.js';
import type { GroupInventory } from '../plan/planRun.js';
import type { Config, GroupInfo, GroupSelection, StreamInfo } from '../types.js';
import { callAws } from './callAws.js';
import { listStreams } from './logStreams.js';

type InventoryDeps = Pick<Deps, 'clients' | 'call' | 'progress'>;

/** As a prefix, selects every group on purpose (group names need not start with `/`). */
const ALL_GROUPS_PREFIX = '/';

/** The group's ARN without the trailing `:*`, as ListTagsForResource wants it. */
const resourceArn = (arn: string): string => arn.replace(/:\*$/, '');

async function* describeGroups(deps: InventoryDeps, prefix?: string): AsyncGenerator<LogGroup> {
  let nextToken: string | undefined;
  do {
    const page = await callAws(deps.call, 'DescribeLogGroups', () =>
      deps.clients.logs.send(
        new DescribeLogGroupsCommand({
          limit: 50,
          ...(prefix ? { logGroupNamePrefix: prefix } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    yield* page.logGroups ?? [];
    nextToken = page.nextToken;
  } while (nextToken);
}

/**
 * The groups the selection names: the union of exact names and prefixes (`/` = every group; no name
 * and no prefix with a tag = every group carrying the tag), narrowed by the tag, minus the excluded
 * prefixes. Sorted by name so that plans are stable.
 */
async function selectGroups(deps: InventoryDeps, selection: GroupSelection): Promise<LogGroup[]> {
  const found = new Map<string, LogGroup>();
  const everything = selection.prefixes.includes(ALL_GROUPS_PREFIX) ||
    (selection.names.length === 0 && selection.prefixes.length === 0);
  const prefixes = everything ? [undefined] : selection.prefixes;
  for (const prefix of prefixes) {
    for await (const g of describeGroups(deps, prefix)) if (g.logGroupName) found.set(g.logGroupName, g);
  }
  if (!everything) {
    for (const name of selection.names) {
      if (found.has(name)) continue;
      for await (const g of describeGroups(deps, name)) {
        if (g.logGroupName === name) {
          found.set(name, g);
          break;
        }
      }
    }
  }
  const excluded = (name: string): boolean => selection.excludePrefixes.some((p) => name.startsWith(p));
  const selected = [...found.values()].filter((g) => !excluded(g.logGroupName!));
  if (!selection.tag) return selected.sort(byName);
  const tagged: LogGroup[] = [];
  for (const g of selected) {
    const tags = await groupTags(deps, g);
    if (tags[selection.tag.key] === selection.tag.value) tagged.push(g);
  }
  return tagged.sort(byName);
}

const byName = (a: LogGroup, b: LogGroup): number => (a.logGroupName! < b.logGroupName! ? -1 : 1);

async function groupTags(deps: InventoryDeps, g: LogGroup): Promise<Record<string, string>> {
  const out = await callAws(deps.call, 'ListTagsForResource', () =>
    deps.clients.logs.send(new ListTagsForResourceCommand({ resourceArn: resourceArn(g.arn ?? '') })),
  );
  return out.tags ?? {};
}

async function filterCounts(deps: InventoryDeps, logGroupName: string): Promise<{ subscription: number; metric: number }> {
  const subs = await callAws(deps.call, 'DescribeSubscriptionFilters', () =>
    deps.clients.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName })),
  );
  const metrics = await callAws(deps.call, 'DescribeMetricFilters', () =>
    deps.clients.logs.send(new DescribeMetricFiltersCommand({ logGroupName, limit: 50 })),
  );
  return { subscription: subs.subscriptionFilters?.length ?? 0, metric: metrics.metricFilters?.length ?? 0 };
}

function toGroupInfo(g: LogGroup, filters: { subscription: number; metric: number }): GroupInfo {
  return {
    logGroupName: g.logGroupName!,
    arn: g.arn ?? '',
    creationTimeMs: g.creationTime ?? 0,
    ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
    storedBytes: g.storedBytes ?? 0,
    logGroupClass: g.logGroupClass ?? 'STANDARD',
    ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
    tags: {},
    subscriptionFilterCount: filters.subscription,
    metricFilterCount: filters.metric,
    hasDataProtectionPolicy: g.dataProtectionStatus === 'ACTIVATED',
  };
}

/**
 * Reads one group's streams and archive state. Filters are only asked about when they can change a
 * decision: a rebuild-strategy group with a straddling stream (filters only guard re-puts).
 */
async function inventoryGroup(
  deps: InventoryDeps,
  config: Pick<Config, 'bucket' | 'bucketPrefix' | 'strategy'>,
  g: LogGroup,
  cutoffMs: number,
): Promise<GroupInventory> {
  const name = g.logGroupName!;
  const skipStreams = g.logGroupClass === 'INFREQUENT_ACCESS' || g.logGroupClass === 'DELIVERY';
  const streams: StreamInfo[] = [];
  if (!skipStreams) for await (const s of listStreams(deps, name)) streams.push(s);
  const straddles = streams.some(
    (s) => (s.firstEventTimestampMs ?? Infinity) < cutoffMs && (s.lastEventTimestampMs ?? -Infinity) >= cutoffMs,
  );
  const filters = config.strategy === 'rebuild' && straddles ? await filterCounts(deps, name) : { subscription: 0, metric: 0 };
  const { state, etag } = await loadGroupState(deps, config, name);
  return { group: toGroupInfo(g, filters), streams, state, ...(etag ? { stateEtag: etag } : {}) };
}

/**
 * Everything the plan needs, read with pagination and only read-only calls.
 *
 * @example const inventory = await discover(deps, config, cutoffMs(now, config.days));
 */
async function discover(
  deps: InventoryDeps,
  config: Pick<Config, 'bucket' | 'bucketPrefix' | 'strategy' | 'selection'>,
  cutoffMs: number,
): Promise<GroupInventory[]> {
  const groups = await selectGroups(deps, config.selection);
  const inventory: GroupInventory[] = new Array(groups.length);
  let done = 0;
  // Groups are read several at once (each one's pages follow one another): one group at a time would
  // leave the DescribeLogStreams limiter idle for a round trip per page. The order stays the groups'.
  await forEachLimited(groups, concurrencyFor(deps.call.limiters.allowedTps('DescribeLogStreams')), async (g, i) => {
    inventory[i] = await inventoryGroup(deps, config, g, cutoffMs);
    done += 1;
    deps.progress?.(`discovered ${done}/${groups.length} groups`, { phase: 'listing', done, total: groups.length });
  });
  return inventory;
}

export { ALL_GROUPS_PREFIX, discover, inventoryGroup, resourceArn, selectGroups };
