/**
 * The demo's own tables: the seeded account before the run, and the proof after it. 100 columns
 * wide, like the report.
 */
import Table from 'cli-table3';
import { formatBytes, formatCount, plural, truncateMiddle, wrapText } from '../report/format.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import type { Proof } from './proof.js';
import { DEMO_TAG, type SeededAccount } from './seedAccount.js';

const WIDTH = 100;
const plain = { head: [], border: [] };

/**
 * The account as seeded: one row per group with its class, selection, streams, events and size.
 *
 * @example write(renderAccount(account));
 */
function renderAccount(account: SeededAccount): string {
  const table = new Table({
    head: ['Log group', 'What it is', 'Streams', 'Events', 'Stored'],
    colWidths: [28, 39, 9, 8, 10],
    colAligns: ['left', 'left', 'right', 'right', 'right'],
    wordWrap: true,
    style: plain,
  });
  for (const group of account.groups) {
    const streams = account.events.get(group.logGroupName) ?? new Map();
    const events = [...streams.values()].reduce((n, e) => n + e.length, 0);
    const traits = [
      group.tagged ? `tag ${DEMO_TAG.key}=${DEMO_TAG.value}` : `no ${DEMO_TAG.key} tag`,
      group.retentionInDays === undefined ? '' : `retention ${group.retentionInDays} d`,
    ]
      .filter((t) => t !== '')
      .join(', ');
    table.push([
      truncateMiddle(group.logGroupName, 26),
      `${group.about} (${traits})`,
      formatCount(streams.size),
      formatCount(events),
      formatBytes(group.storedBytes),
    ]);
  }
  return table.toString();
}

/**
 * The proof: per group, where every seeded event is now, and what the archive holds.
 *
 * @example write(renderProof(proof));
 */
function renderProof(proof: Proof): string {
  const table = new Table({
    head: ['Log group', 'Seeded', 'Archived', 'In Cloud\nWatch', 'In both', 'Lost', 'Dupli-\ncated', 'Streams'],
    colWidths: [28, 9, 10, 10, 9, 6, 8, 11],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    wordWrap: true,
    style: plain,
  });
  const row = (name: string, g: Proof['total']) => [
    truncateMiddle(name, 26),
    formatCount(g.seeded),
    formatCount(g.archived),
    formatCount(g.inCloudWatch),
    formatCount(g.both),
    formatCount(g.lost),
    formatCount(g.duplicated),
    `${formatCount(g.streamsBefore)} → ${formatCount(g.streamsAfter)}`,
  ];
  for (const g of proof.groups) table.push(row(g.logGroupName, g));
  table.push(row('Total', proof.total));
  const o = proof.objects;
  const t = proof.total;
  const lines = [
    table.toString(),
    '',
    ...wrapText(
      `The archive: ${plural(o.exports, 'exported .gz object')} (${formatBytes(o.exportedBytes)}), ` +
        `${plural(o.manifests, 'manifest')}, ${plural(o.markers, 'export marker')}, ${plural(o.state, 'state object')}, ` +
        `${plural(o.reports, 'run report')}${o.other > 0 ? `, ${plural(o.other, 'other object')}` : ''}. For example:`,
      WIDTH,
    ),
    ...o.sampleKeys.map((k) => `  ${truncateMiddle(k, WIDTH - 2)}`),
    '',
    ...wrapText(
      proof.nothingLost
        ? `Nothing lost: each of the ${formatCount(t.seeded)} seeded events is in the archive or still in CloudWatch ` +
            `(${formatCount(t.both)} in both: archived, not trimmed), none twice in either place, and nothing unexpected.`
        : `PROBLEM: ${formatCount(t.lost)} events lost, ${formatCount(t.duplicated)} duplicated, ${formatCount(t.unexpected)} ` +
            'unexpected. Please report this: it is a bug.',
      WIDTH,
    ),
  ];
  return lines.join('\n');
}

/**
 * How many calls the sandbox received since `from`, and how many of them change anything.
 *
 * @example const { calls, mutating } = callsSince(sandbox, 0);
 */
function callsSince(sandbox: Sandbox, from: number): { calls: number; mutating: number } {
  const records = sandbox.calls.slice(from);
  const mutating = new Set(sandbox.mutatingCalls());
  return { calls: records.length, mutating: records.filter((r) => mutating.has(r)).length };
}

export { callsSince, renderAccount, renderProof };
