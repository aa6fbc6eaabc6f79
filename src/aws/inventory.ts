import {
  DescribeLogGroupsCommand,
  type DescribeLogGroupsCommandOutput,
  DescribeLogStreamsCommand,
  type DescribeLogStreamsCommandOutput,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  ListTagsForResourceCommand,
  type LogGroup,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Deps } from '../deps.js';
import { DeadlineReachedError } from '../errors.js';
import {
  ALL_GROUPS_PREFIX,
  itemIsBehind,
  walkItemKey,
  walkItems,
  walkTakes,
  type WalkItem,
} from '../plan/selectionWalk.js';
import type { GroupInfo, GroupSelection, StreamInfo } from '../types.js';
import { callAws, errorName } from './callAws.js';
import { toStreamInfo } from './logStreams.js';

type InventoryDeps = Pick<Deps, 'clients' | 'call' | 'deadline'>;

/** The group's ARN without the trailing `:*`, as ListTagsForResource wants it. */
const resourceArn = (arn: string): string => arn.replace(/:\*$/, '');

/** Stops a listing at the deadline: the walk's cursor says where the next run goes on. */
function checkDeadline(deps: Pick<Deps, 'deadline'>, what: string): void {
  if (deps.deadline.remainingMs() <= 0) throw new DeadlineReachedError(`the deadline came while ${what}`);
}

/** A group as the walk read it, with the token of its page: a later run may list again from that page. */
interface PagedGroup {
  readonly group: LogGroup;
  readonly pageToken?: string;
}

/**
 * Groups 50 a page from `startToken` (a saved page) or the first page. A saved token DescribeLogGroups
 * no longer takes lists from the first page instead: the walk's name filter passes over what is behind.
 */
async function* describeGroups(deps: InventoryDeps, prefix?: string, startToken?: string): AsyncGenerator<PagedGroup> {
  let nextToken = startToken;
  do {
    checkDeadline(deps, 'listing log groups');
    const token = nextToken;
    // As the SDK's paginator does: the whole input again with each token.
    const send = (t: string | undefined) =>
      callAws(deps.call, 'DescribeLogGroups', () =>
        deps.clients.logs.send(
          new DescribeLogGroupsCommand({
            limit: 50,
            ...(prefix ? { logGroupNamePrefix: prefix } : {}),
            ...(t ? { nextToken: t } : {}),
          }),
        ),
      );
    let page: DescribeLogGroupsCommandOutput;
    let pageToken = token;
    try {
      page = await send(token);
    } catch (err) {
      if (token === undefined || token !== startToken || errorName(err) !== 'InvalidParameterException') throw err;
      page = await send(undefined);
      pageToken = undefined;
    }
    for (const group of page.logGroups ?? []) yield { group, ...(pageToken ? { pageToken } : {}) };
    nextToken = page.nextToken && page.nextToken !== token ? page.nextToken : undefined;
  } while (nextToken);
}

async function* itemGroups(deps: InventoryDeps, item: WalkItem, startToken?: string): AsyncGenerator<PagedGroup> {
  if (item.kind === 'all') {
    yield* describeGroups(deps, undefined, startToken);
    return;
  }
  if (item.kind === 'prefix') {
    yield* describeGroups(deps, item.prefix === ALL_GROUPS_PREFIX ? undefined : item.prefix, startToken);
    return;
  }
  for await (const g of describeGroups(deps, item.name)) {
    if (g.group.logGroupName === item.name) {
      yield g;
      return;
    }
  }
}

/** Where a walk an earlier run did not finish goes on: after this group, from this page of that item's listing when known. */
interface WalkResume {
  readonly afterGroupName: string;
  readonly itemKey?: string;
  readonly pageToken?: string;
}

/** A selected group, with what a later run needs to list again from its page. */
interface WalkedGroup {
  readonly group: LogGroup;
  readonly itemKey: string;
  readonly pageToken?: string;
}

/**
 * The groups a selection names, one at a time in ascending name order, with only read-only calls:
 * the union of exact names and prefixes (`/` = every group; no name and no prefix with a tag = every
 * group carrying the tag), narrowed by the tag, minus the excluded prefixes. `afterName` resumes a
 * walk an earlier run did not finish: groups up to it are passed over (whole listings where they lie
 * before it), and its item's listing starts at the saved page rather than the first (a fleet of
 * thousands of groups is not paged through from the start by every invocation of a chain). Throws
 * {@link DeadlineReachedError} before a page it has no time for.
 *
 * @example for await (const g of selectedGroups(deps, config.selection)) console.log(g.logGroupName);
 */
async function* selectedGroups(
  deps: InventoryDeps,
  selection: GroupSelection,
  resume?: WalkResume,
): AsyncGenerator<WalkedGroup> {
  const afterName = resume?.afterGroupName;
  for (const item of walkItems(selection)) {
    if (afterName !== undefined && itemIsBehind(item, afterName)) continue;
    const itemKey = walkItemKey(item);
    const startToken = resume?.itemKey === itemKey ? resume.pageToken : undefined;
    for await (const { group, pageToken } of itemGroups(deps, item, startToken)) {
      const name = group.logGroupName;
      if (!name || !walkTakes(item, selection, name, afterName)) continue;
      if (selection.tag && (await groupTags(deps, group))[selection.tag.key] !== selection.tag.value) continue;
      yield { group, itemKey, ...(pageToken ? { pageToken } : {}) };
    }
  }
}

async function groupTags(deps: InventoryDeps, g: LogGroup): Promise<Record<string, string>> {
  const out = await callAws(deps.call, 'ListTagsForResource', () =>
    deps.clients.logs.send(new ListTagsForResourceCommand({ resourceArn: resourceArn(g.arn ?? '') })),
  );
  return out.tags ?? {};
}

/** How many subscription and metric filters a group has: asked only once a re-put is in question. */
async function filterCounts(
  deps: InventoryDeps,
  logGroupName: string,
): Promise<{ subscription: number; metric: number }> {
  const subs = await callAws(deps.call, 'DescribeSubscriptionFilters', () =>
    deps.clients.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName })),
  );
  const metrics = await callAws(deps.call, 'DescribeMetricFilters', () =>
    deps.clients.logs.send(new DescribeMetricFiltersCommand({ logGroupName, limit: 50 })),
  );
  return { subscription: subs.subscriptionFilters?.length ?? 0, metric: metrics.metricFilters?.length ?? 0 };
}

/** SDK group → our plain metadata; filter counts are filled in when they are read. */
function toGroupInfo(
  g: LogGroup,
  filters: { subscription: number; metric: number } = { subscription: 0, metric: 0 },
): GroupInfo {
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

/** What one look at a group's streams tells, before its export. */
interface StreamsLook {
  /**
   * The stream written last: no stream has an event after its last one, which tells whether a new
   * export window can hold anything without listing the group. Undefined for a group with no stream.
   */
  readonly newest?: StreamInfo;
  /** Every stream of the group, in name order, when they fit the one page. */
  readonly whole?: readonly StreamInfo[];
}

/**
 * One DescribeLogStreams page ordered by LastEventTime, newest first: its newest stream decides the
 * export, and a group of up to 50 streams is then listed already (no next token), so that a fleet of
 * small groups reads each group once. The newest is the latest last event of the page (a stream with
 * no event may come anywhere in that order).
 */
async function lookAtStreams(deps: InventoryDeps, logGroupName: string): Promise<StreamsLook> {
  const page = await callAws(deps.call, 'DescribeLogStreams', () =>
    deps.clients.logs.send(
      new DescribeLogStreamsCommand({ logGroupName, orderBy: 'LastEventTime', descending: true, limit: 50 }),
    ),
  );
  const streams = (page.logStreams ?? []).map(toStreamInfo);
  let newest = streams[0];
  for (const s of streams)
    if ((s.lastEventTimestampMs ?? -Infinity) > (newest?.lastEventTimestampMs ?? -Infinity)) newest = s;
  const whole = page.nextToken
    ? undefined
    : [...streams].sort((a, b) => (a.logStreamName < b.logStreamName ? -1 : a.logStreamName > b.logStreamName ? 1 : 0));
  return { ...(newest ? { newest } : {}), ...(whole ? { whole } : {}) };
}

/** One page of a group's streams, with the token that reads it again and the one that reads on. */
interface StreamPage {
  readonly streams: readonly StreamInfo[];
  /** The token this page was read with (undefined for the first page). */
  readonly token?: string;
  /** The next page's token; undefined on the last page. */
  readonly nextToken?: string;
}

/** A saved listing token that DescribeLogStreams no longer takes: list from the start. */
class StaleTokenError extends Error {
  public constructor(options?: ErrorOptions) {
    super('the saved listing token is no longer valid', options);
    this.name = 'StaleTokenError';
  }
}

/**
 * A group's streams 50 a page, in name order, from `startToken` (a saved cursor) or the first page.
 * Throws {@link DeadlineReachedError} before a page it has no time for, and {@link StaleTokenError}
 * when the saved token is refused.
 */
async function* streamPages(
  deps: InventoryDeps,
  logGroupName: string,
  startToken?: string,
): AsyncGenerator<StreamPage> {
  let token = startToken;
  for (;;) {
    checkDeadline(deps, `listing the streams of ${logGroupName}`);
    let page: DescribeLogStreamsCommandOutput;
    try {
      page = await callAws(deps.call, 'DescribeLogStreams', () =>
        deps.clients.logs.send(
          new DescribeLogStreamsCommand({ logGroupName, limit: 50, ...(token ? { nextToken: token } : {}) }),
        ),
      );
    } catch (err) {
      if (token !== undefined && token === startToken && errorName(err) === 'InvalidParameterException') {
        throw new StaleTokenError({ cause: err });
      }
      throw err;
    }
    const nextToken = page.nextToken && page.nextToken !== token ? page.nextToken : undefined;
    yield {
      streams: (page.logStreams ?? []).map(toStreamInfo),
      ...(token ? { token } : {}),
      ...(nextToken ? { nextToken } : {}),
    };
    if (!nextToken) return;
    token = nextToken;
  }
}

export {
  ALL_GROUPS_PREFIX,
  StaleTokenError,
  checkDeadline,
  filterCounts,
  lookAtStreams,
  resourceArn,
  selectedGroups,
  streamPages,
  toGroupInfo,
};
export type { InventoryDeps, StreamPage, StreamsLook, WalkResume, WalkedGroup };
