/**
 * The human report: what a plan would do, or what a run did, readable in a 100-column terminal.
 * It is rendered from the JSON report (never from the plan directly), so the table and `--json`
 * cannot disagree. No colours: the output is the same in a terminal, a pipe and a CI log.
 */
import Table from 'cli-table3';
import {
  formatBytes,
  formatCount,
  formatPayback,
  formatTime,
  formatUsd,
  plural,
  truncateMiddle,
  wrapText,
} from './format.js';
import type { JsonReport } from './jsonSchema.js';
import {
  TABLE_WIDTH,
  lifetimeText,
  renderGroup,
  reputText,
  storageText,
  twoColumnTable,
  type Row,
} from './renderGroup.js';

/** Summary columns: name, four counts, three amounts. With nine borders: 100 columns. */
const SUMMARY_WIDTHS = [28, 8, 9, 7, 7, 10, 10, 12] as const;
/** The narrowest and widest report: the summary's name column gives or takes the difference from 100. */
const MIN_WIDTH = 80;
const MAX_WIDTH = 160;
/** Items of leftForNextRun printed under the tables; the JSON report has them all (up to its limit). */
const LEFT_SHOWN = 10;

const OUTCOME_TEXT: Record<JsonReport['outcome'], string> = {
  planned: 'planned: nothing was changed (dry run)',
  done: 'done: everything planned was carried out (exit code 0)',
  partial: 'partial: some work is left for the next run (exit code 3)',
  failed: 'failed: see "Group failed" and "Not done" above (exit code 1)',
};

function header(report: JsonReport, width: number): string[] {
  const title =
    report.mode === 'plan'
      ? `cwl-trim plan · dry run: read-only calls only, nothing was changed · run ${report.runId}`
      : `cwl-trim run · ${report.outcome} · run ${report.runId}`;
  return [
    title,
    `Planned at ${formatTime(report.plannedAt.ms)} · strategy ${report.strategy} · DAYS=${report.days}: ` +
      `archive, then trim, events before ${formatTime(report.cutoff.ms)}`,
    `Archive: ${report.archive.uri}`,
    '"est." = estimated from CloudWatch metadata (a group\'s stored bytes, shared among its streams by time ' +
      'span); "measured" = counted by this run.',
  ].flatMap((line) => wrapText(line, width));
}

function summary(report: JsonReport, width: number): string {
  const [first, ...rest] = SUMMARY_WIDTHS;
  const widths = [first + width - TABLE_WIDTH, ...rest];
  const table = new Table({
    head: ['Log group', 'Delete', 'Rebuild', 'Keep', 'Skip', 'Remove\nest.', 'Re-put\nest.', 'Saving\nest.'],
    colWidths: widths,
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  const nameWidth = widths[0]! - 2;
  for (const g of report.groups) {
    const name = truncateMiddle(g.logGroupName, nameWidth);
    if (g.skipped) {
      table.push([name, { colSpan: 7, content: `skipped: ${g.skipped.reason}` }]);
      continue;
    }
    const t = g.totals;
    table.push([
      name,
      formatCount(t.delete),
      formatCount(t.rebuild),
      formatCount(t.keep),
      formatCount(t.skip),
      formatBytes(t.estimated.removeStoredBytes),
      formatBytes(t.estimated.reputBytes),
      formatUsd(t.estimated.lifetimeSavingUsd),
    ]);
  }
  const t = report.totals;
  table.push([
    `Total (${plural(t.groups, 'group')})`,
    formatCount(t.delete),
    formatCount(t.rebuild),
    formatCount(t.keep),
    formatCount(t.skip),
    formatBytes(t.estimated.removeStoredBytes),
    formatBytes(t.estimated.reputBytes),
    formatUsd(t.estimated.lifetimeSavingUsd),
  ]);
  return table.toString();
}

function measuredRows(report: JsonReport): Row[] {
  const m = report.totals.measured;
  const done = report.totals.estimatedDone;
  if (!m || !done) return [];
  return [
    [
      'Archived (measured)',
      `${plural(m.exportsArchived, 'export')} verified in S3: ${plural(m.archivedObjects, 'object')}, ` +
        `${formatBytes(m.archivedBytes)}${m.exportsNotArchived > 0 ? `; ${m.exportsNotArchived} not archived` : ''}`,
    ],
    [
      'Done (measured)',
      `${formatCount(m.deleted)} deleted, ${formatCount(m.rebuilt)} rebuilt: ${formatCount(m.reputEvents)} ` +
        `events (${formatBytes(m.reputBytes)}) put back, ${formatCount(m.rejectedEvents)} refused; ${formatCount(m.notDone)} not done`,
    ],
    [
      'Removed (est.)',
      `${formatBytes(done.removeStoredBytes)} stored, saving ${formatUsd(done.lifetimeSavingUsd)} over the ` +
        `data's remaining life, for ${formatUsd(done.reputCostUsd)} of re-ingestion`,
    ],
  ];
}

/** Which compression ratio was used, and what this run measured of it and of the archive. */
function pricingRows(report: JsonReport): Row[] {
  const p = report.pricing;
  if (!p) return [];
  const source =
    p.compressionRatioSource === 'default' ? "default: AWS pricing calculator's 15 %" : 'COMPRESSION_RATIO';
  const m = report.totals.measured;
  // Far off the estimate, a measurement says the group's storedBytes and its events disagree (a sampled demo).
  const odd = (r: number): string =>
    r < 0.05 || r > 50 ? ' (implausible: storedBytes does not match the events)' : '';
  const measured = [
    m?.compressionRatio == null
      ? ''
      : `; measured by this run's rebuilds: ${m.compressionRatio}${odd(m.compressionRatio / p.compressionRatio)}`,
    m?.archiveRatio == null ? '' : `; exports wrote ${m.archiveRatio} byte per stored byte${odd(m.archiveRatio)}`,
  ].join('');
  const tier =
    p.storageTier === 'INTELLIGENT_TIERING'
      ? `; Intelligent-Tiering: old data priced at $${p.tier30To90PerGbMonth} (30–90 days) and $${p.tierOver90PerGbMonth} (older) a GB-month`
      : '';
  return [['Ratios', `compression ${p.compressionRatio} (${source})${measured}${tier}`]];
}

function totals(report: JsonReport, width: number): string {
  const t = report.totals;
  const e = t.estimated;
  const planned = t.groups - t.groupsSkipped;
  const rows: Row[] = [
    [
      'Groups',
      `${formatCount(t.groups)} selected: ${formatCount(planned)} planned, ${formatCount(t.groupsSkipped)} skipped`,
    ],
    ['Exports', `${plural(t.exports, 'window')} to archive`],
    [
      'Streams',
      `${formatCount(t.streams)} in all: ${formatCount(t.delete)} to delete · ${formatCount(t.rebuild)} to rebuild · ` +
        `${formatCount(t.keep)} to keep · ${formatCount(t.skip)} skipped`,
    ],
    ['Remove (est.)', `${formatBytes(e.removeStoredBytes)} stored`],
    ['Storage (est.)', storageText(e)],
    ['Saving (est.)', lifetimeText(e)],
    ['Re-put (est.)', reputText(e)],
    ['Payback (est.)', `${formatPayback(e.paybackMonths)} for the rebuilds planned`],
    ...pricingRows(report),
    ...(report.pendingRebuilds.length > 0
      ? [
          [
            'Unfinished rebuilds',
            `${plural(report.pendingRebuilds.length, 'rebuild')} left by an earlier run, finished first`,
          ] as Row,
        ]
      : []),
    ...measuredRows(report),
    ['Outcome', OUTCOME_TEXT[report.outcome]],
  ];
  return twoColumnTable('Totals', rows, width);
}

function footer(report: JsonReport, width: number): string[] {
  const lines: string[] = [];
  const left = report.leftForNextRun;
  if (left && left.count > 0) {
    lines.push(`Left for the next run (${formatCount(left.count)}):`);
    for (const item of left.items.slice(0, LEFT_SHOWN)) {
      const where = item.logStreamName === null ? item.logGroupName : `${item.logGroupName} ${item.logStreamName}`;
      lines.push(...wrapText(`- ${item.what} ${truncateMiddle(where, 60)}: ${item.why}`, width, '  '));
    }
    if (left.count > LEFT_SHOWN) lines.push(`  … and ${formatCount(left.count - LEFT_SHOWN)} more (see --json)`);
    lines.push('');
  }
  if (report.apiCalls) {
    const calls = Object.entries(report.apiCalls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([op, s]) =>
          `${op} ${formatCount(s.calls)}${s.throttles > 0 ? ` (${formatCount(s.throttles)} throttled)` : ''}`,
      );
    lines.push(...wrapText(`API calls: ${calls.length > 0 ? calls.join(' · ') : 'none'}`, width, '  '));
  }
  if (report.mode === 'plan') {
    lines.push(
      '',
      ...wrapText(
        'Nothing was changed. `cwl-trim run` with the same settings carries out this plan; it re-checks ' +
          'each stream before deleting it.',
        width,
      ),
    );
  }
  return lines;
}

/**
 * Renders the report as text for a terminal `width` columns wide (100 by default, 80 to 160): a header,
 * one summary row per group, a table per group, the totals, and what is left for the next run. No line is
 * wider than `width`: names are shortened in the middle with `…`, long values wrap.
 *
 * @example process.stdout.write(renderTable(toJsonReport(output, { runId: deps.runId }), { width: process.stdout.columns }));
 */
function renderTable(report: JsonReport, options: { readonly width?: number } = {}): string {
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.floor(options.width ?? TABLE_WIDTH)));
  const parts = [
    header(report, width).join('\n'),
    report.groups.length === 0
      ? report.run?.deadlineReached
        ? 'No log group was reached before the deadline.'
        : 'No log group matched the selection.'
      : summary(report, width),
    ...report.groups.map((g) => renderGroup(g, width)),
    totals(report, width),
  ];
  const tail = footer(report, width);
  if (tail.length > 0) parts.push(tail.join('\n'));
  return `${parts.join('\n\n')}\n`;
}

export { renderTable };
