/**
 * One log group of the human report: a two-column table (what, then the figures and reasons),
 * rendered from the group's JSON so that the table never says something the JSON does not.
 */
import Table from 'cli-table3';
import { STREAM_OUTCOMES, type JsonGroup, type JsonStreamEntry } from './jsonSchema.js';
import {
  formatBytes,
  formatCount,
  formatPayback,
  formatTime,
  formatUsd,
  formatWindow,
  plural,
  truncateMiddle,
} from './format.js';

/** Label and value columns; with the three borders, a table is 100 columns wide by default (the value column takes any other width). */
const LABEL_WIDTH = 22;
const VALUE_WIDTH = 75;
const TABLE_WIDTH = LABEL_WIDTH + VALUE_WIDTH + 3;
/** Rebuild and skip streams shown by name per group; the JSON report lists them all (up to its limit). */
const STREAMS_SHOWN = 6;
/** Room for a stream name in a value cell, leaving some for its detail. */
const STREAM_NAME_WIDTH = 44;

type Row = [string, string];

/**
 * A bare two-column table, exactly `width` columns wide (100 by default): a title row, then label and value
 * rows. No colours, so the width in columns is the width in characters.
 *
 * @example twoColumnTable('Totals', [['Groups', '4 selected']])
 */
function twoColumnTable(title: string, rows: readonly Row[], width: number = TABLE_WIDTH): string {
  const table = new Table({
    colWidths: [LABEL_WIDTH, VALUE_WIDTH + width - TABLE_WIDTH],
    wordWrap: true,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
  table.push([{ colSpan: 2, content: truncateMiddle(title, width - 4) }]);
  for (const [label, value] of rows) table.push([label, value]);
  return table.toString();
}

const ACTION_LABELS = { delete: 'Delete', rebuild: 'Rebuild', skip: 'Skip', keep: 'Keep' } as const;

/** "316 streams: 314 expired: every event is archived · 2 empty-old: …" */
function actionRows(group: JsonGroup): Row[] {
  return (['delete', 'rebuild', 'skip', 'keep'] as const).flatMap((action): Row[] => {
    const n = group.totals[action];
    if (n === 0) return [];
    const reasons = group.reasons
      .filter((r) => r.action === action)
      .map((r) => `${formatCount(r.count)} ${r.reason}${r.detailsVary ? ` (e.g. ${r.example})` : `: ${r.example}`}`);
    return [[ACTION_LABELS[action], `${plural(n, 'stream')} — ${reasons.join(' · ')}`]];
  });
}

function windowRows(group: JsonGroup): Row[] {
  const rows: Row[] = [];
  if (group.resumeExport) {
    rows.push([
      'Export to finish',
      `${formatWindow(group.resumeExport.from.ms, group.resumeExport.to.ms)} (left in flight by an earlier run)`,
    ]);
  }
  const before = group.archivedThroughBefore
    ? `archived through ${formatTime(group.archivedThroughBefore.ms)} before this run`
    : '';
  if (group.exportWindow) {
    const first = group.archivedThroughBefore ? ` (${before})` : ' (first export of this group)';
    rows.push(['Window to archive', `${formatWindow(group.exportWindow.from.ms, group.exportWindow.to.ms)}${first}`]);
  } else if (!group.resumeExport) {
    rows.push(['Window to archive', `nothing new${before ? `: ${before}` : ''}`]);
  }
  return rows;
}

/**
 * The re-put cell: bytes and their ingestion cost, or "nothing".
 *
 * @example reputText(report.totals.estimated) // '2.8 GB, $1.36 of ingestion'
 */
function reputText(e: Pick<JsonGroup['totals']['estimated'], 'reputBytes' | 'reputCostUsd'>): string {
  return e.reputBytes === 0 ? 'nothing' : `${formatBytes(e.reputBytes)}, ${formatUsd(e.reputCostUsd)} of ingestion`;
}

/**
 * Both sides of the storage bill a month, then the net over the removed data's remaining life.
 *
 * @example storageText(report.totals.estimated) // 'CloudWatch $1.16 a month less, S3 Standard $0.89 more: net $0.27 a month'
 */
function storageText(
  e: Pick<JsonGroup['totals']['estimated'], 'cloudWatchMonthlyUsd' | 'archiveMonthlyUsd' | 'monthlySavingUsd'>,
): string {
  return (
    `CloudWatch ${formatUsd(e.cloudWatchMonthlyUsd)} a month less, S3 Standard ${formatUsd(e.archiveMonthlyUsd)} more: ` +
    `net ${formatUsd(e.monthlySavingUsd)} a month`
  );
}

/** @example lifetimeText(e) // '$3.24 over the data's remaining life (until retention expires it, ≤ the payback horizon)' */
function lifetimeText(e: Pick<JsonGroup['totals']['estimated'], 'lifetimeSavingUsd'>): string {
  const what = e.lifetimeSavingUsd < 0 ? 'more than it saves: ' : '';
  return (
    `${what}${formatUsd(e.lifetimeSavingUsd)} over the data's remaining life (until retention would expire it, ` +
    'at most the payback horizon)'
  );
}

function moneyRows(group: JsonGroup): Row[] {
  const e = group.totals.estimated;
  if (group.totals.delete + group.totals.rebuild === 0) return [['Remove (est.)', 'nothing this run']];
  return [
    ['Remove (est.)', `${formatBytes(e.removeStoredBytes)} stored`],
    ['Storage (est.)', storageText(e)],
    ['Saving (est.)', lifetimeText(e)],
    ['Re-put (est.)', reputText(e)],
    ...(group.totals.rebuild > 0
      ? [['Payback (est.)', `${formatPayback(e.paybackMonths)} for the rebuilds planned`] as Row]
      : []),
  ];
}

/**
 * The advice row, with the numbers it follows from: the streams the payback test kept, what re-putting
 * them would cost and what it would save.
 */
function adviceText(group: JsonGroup): string | undefined {
  const advice = group.retentionAdvice;
  if (advice === null) return undefined;
  const notWorth = group.streams.filter((s) => s.reason === 'not-worth-it');
  if (!advice.startsWith('cheaper') || notWorth.length === 0) return `STRATEGY=retention is ${advice}`;
  const cost = notWorth.reduce((n, s) => n + s.estimate.reputCostUsd, 0);
  const saving = notWorth.reduce((n, s) => n + s.estimate.lifetimeSavingUsd, 0);
  return (
    `STRATEGY=retention is cheaper for the ${plural(notWorth.length, 'stream')} kept as not-worth-it: re-putting ` +
    `would cost ${formatUsd(cost)} to save ${formatUsd(saving)} over the data's remaining life`
  );
}

function resultText(result: JsonStreamEntry['result']): string {
  if (!result) return '';
  if (result.outcome === 'done') {
    return result.events === null
      ? ' → done'
      : ` → done: ${formatCount(result.events)} events (${formatBytes(result.bytes ?? 0)}) put back`;
  }
  return ` → ${result.outcome}${result.detail ? `: ${result.detail}` : ''}`;
}

/** Rebuilds, skips and unfinished actions by name (deletes are many and alike: counted above). */
function streamRows(group: JsonGroup): Row[] {
  const interesting = group.streams.filter(
    (s) => s.action !== 'delete' || (s.result !== null && s.result.outcome !== 'done'),
  );
  const rows: Row[] = interesting
    .slice(0, STREAMS_SHOWN)
    .map((s) => [
      `  ${s.action}`,
      `${truncateMiddle(s.logStreamName, STREAM_NAME_WIDTH)} — ${s.reason}: ${s.detail}${resultText(s.result)}`,
    ]);
  const more = interesting.length - rows.length + group.streamsOmitted.rebuild + group.streamsOmitted.skip;
  if (more > 0) rows.push(['', `… and ${plural(more, 'more stream')} (see --json)`]);
  return rows;
}

function resultRows(group: JsonGroup): Row[] {
  const r = group.result;
  if (!r) return [];
  const rows: Row[] = r.exports.map(
    (e): Row => [
      'Export',
      e.status === 'archived'
        ? `archived ${formatWindow(e.window.from.ms, e.window.to.ms)}: ${plural(e.objects ?? 0, 'object')}, ${formatBytes(e.bytes ?? 0)} (measured)`
        : `${e.status}${e.message ? `: ${e.message}` : ''} — the window stays for the next run`,
    ],
  );
  const put =
    r.rebuilt > 0 ? ` (${formatCount(r.reputEvents)} events, ${formatBytes(r.reputBytes)} put back, measured)` : '';
  const refused =
    r.rejectedEvents > 0 ? `; ${plural(r.rejectedEvents, 'event')} refused by PutLogEvents, kept in the archive` : '';
  const late = r.caughtUpEvents ? `; ${plural(r.caughtUpEvents, 'late event')} archived first` : '';
  if (!r.notReached)
    rows.push(['Done', `${formatCount(r.deleted)} deleted, ${formatCount(r.rebuilt)} rebuilt${put}${refused}${late}`]);
  const notDone = STREAM_OUTCOMES.filter((o) => o !== 'done' && r.outcomes[o] > 0).map(
    (o) => `${formatCount(r.outcomes[o])} ${o}`,
  );
  if (notDone.length > 0) rows.push(['Not done', `${notDone.join(', ')} — left for the next run`]);
  if (r.error !== null) rows.push(['Group failed', r.error]);
  if (r.lockedBy) rows.push(['Locked', r.lockedBy]);
  if (r.notReached) rows.push(['Not reached', 'the deadline came first; the next run carries on']);
  if (r.retention) rows.push(['Retention', `${r.retention.outcome}: ${r.retention.detail}`]);
  if (r.groupDeletion) rows.push(['Group', `${r.groupDeletion.outcome}: ${r.groupDeletion.detail}`]);
  return rows;
}

/**
 * The table of one log group: window to archive, streams by action with their reasons and counts,
 * money (estimated), the rebuild and skip streams by name and, after a run, what was done.
 *
 * @example process.stdout.write(`${renderGroup(report.groups[0])}\n`);
 */
function renderGroup(group: JsonGroup, width: number = TABLE_WIDTH): string {
  if (group.skipped) {
    return twoColumnTable(group.logGroupName, [['Skipped', `${group.skipped.reason}: ${group.skipped.detail}`]], width);
  }
  const rows: Row[] = [
    ...windowRows(group),
    ...actionRows(group),
    ...moneyRows(group),
    ...(group.retention ? [['Retention', group.retention.detail] as Row] : []),
    ...(group.retentionAdvice ? [['Advice', adviceText(group) ?? ''] as Row] : []),
    ...(group.deleteGroup ? [['Delete group', group.deleteGroup.detail] as Row] : []),
    ...group.warnings.map((w): Row => ['Warning', w]),
    ...streamRows(group),
    ...resultRows(group),
  ];
  if (group.totals.streams === 0) rows.splice(windowRows(group).length, 0, ['Streams', 'none']);
  return twoColumnTable(group.logGroupName, rows, width);
}

export { TABLE_WIDTH, lifetimeText, renderGroup, reputText, storageText, twoColumnTable };
export type { Row };
