/**
 * Printing and keeping the figures: the summary table, a met / not met line per target, the
 * committed bench/results.json (merged per scenario, so running one scenario keeps the others'
 * latest figures), and the README's Performance section (only with `--readme`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { ScenarioResult, SummaryRow, TargetCheck } from './types.js';

interface Machine {
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly platform: string;
}

interface StoredScenario extends ScenarioResult {
  readonly command: string;
  readonly date: string;
  readonly machine: Machine;
}

interface ResultsFile {
  readonly note: string;
  readonly scenarios: Record<string, StoredScenario>;
}

const COLUMNS: readonly [keyof SummaryRow, string][] = [
  ['scenario', 'Scenario'],
  ['work', 'Work'],
  ['wallS', 'Wall s'],
  ['boundS', 'Lower bound s'],
  ['callsVsMin', 'Calls vs minimum'],
  ['throttledFailed', 'Throttled (retried) / errors reported'],
  ['peakRssMb', 'Peak RSS MB'],
  ['eventsPerS', 'Events/s'],
];

function machine(): Machine {
  const list = cpus();
  return {
    node: process.version,
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    platform: `${process.platform}-${process.arch}`,
  };
}

const cell = (row: SummaryRow, key: keyof SummaryRow): string => {
  const value = row[key];
  if (value === undefined) return '—';
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
};

/** The rows as a Markdown table (it reads as well in a terminal). */
function summaryTable(rows: readonly SummaryRow[]): string {
  const cells = rows.map((r) => COLUMNS.map(([key]) => cell(r, key)));
  const widths = COLUMNS.map(([, title], i) => Math.max(title.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(COLUMNS.map(([, title]) => title)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join(
    '\n',
  );
}

const targetLine = (t: TargetCheck): string => `${t.met ? 'MET    ' : 'NOT MET'}  ${t.target}: ${t.measured}`;

/** Memory must not grow with the stream: compares the two rebuild sizes when both are known. */
function growthTarget(scenarios: Record<string, StoredScenario>): TargetCheck | undefined {
  const small = scenarios['rebuild-250000']?.row.peakRssMb;
  const large = scenarios['rebuild-1000000']?.row.peakRssMb;
  if (small === undefined || large === undefined) return undefined;
  const growth = Math.round((large / small - 1) * 1000) / 10;
  return {
    target: 'Rebuild memory does not grow with the stream (1,000,000 vs 250,000 events, within 15 %)',
    measured: `${small} MB → ${large} MB (${growth >= 0 ? '+' : ''}${growth} %)`,
    met: growth <= 15,
  };
}

function readResults(path: string): ResultsFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
  } catch {
    return { note: '', scenarios: {} };
  }
}

/** Merges this run's scenarios into results.json and returns the whole, latest first per scenario. */
function saveResults(path: string, command: string, results: readonly ScenarioResult[]): ResultsFile {
  const previous = readResults(path);
  const date = new Date().toISOString();
  const scenarios = { ...previous.scenarios };
  for (const r of results) scenarios[r.name] = { command, date, machine: machine(), ...r };
  const file: ResultsFile = {
    note: 'Written by `npm run bench` (bench/run.ts); each scenario keeps the figures of its latest run. See README, Performance.',
    scenarios,
  };
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return file;
}

const SCENARIO_ORDER = [
  'fleet',
  'rebuild-250000',
  'rebuild-1000000',
  'cpu',
  'backlog',
  'huge-group',
  'huge-drain-group',
  'huge-drain-fleet',
  'archive-cat',
  'archive-wide',
];

/**
 * The README section: bench/performance.md with `{{FIGURES}}` replaced by the command, the latest
 * figures of every scenario and the targets.
 */
function performanceSection(file: ResultsFile, template: string): string {
  const stored = SCENARIO_ORDER.map((name) => file.scenarios[name]).filter((s): s is StoredScenario => s !== undefined);
  const growth = growthTarget(file.scenarios);
  const targets = [...stored.flatMap((s) => s.targets), ...(growth ? [growth] : [])];
  const m = stored[0]?.machine;
  const latest = stored
    .map((s) => s.date.slice(0, 10))
    .sort()
    .at(-1);
  const figures = [
    '```sh',
    'npm run bench                      # all four scenarios, a few minutes; writes bench/results.json',
    'npm run bench -- fleet             # one of: fleet, rebuild, cpu, backlog',
    'npm run bench -- huge-group        # by name only, many minutes each: huge-group, huge-drain',
    'npm run bench -- huge-drain-group --streamsPerGroup=20000   # a variant (or huge-drain-fleet), any parameter',
    'npm run bench -- --readme          # also rewrites this section from bench/performance.md',
    '```',
    '',
    m ? `Latest figures (${latest}; Node ${m.node}, ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB):` : '',
    '',
    summaryTable(stored.map((s) => s.row)),
    '',
    ...targets.map((t) => `- ${t.met ? '**met**' : '**not met**'}: ${t.target}: ${t.measured}`),
  ].join('\n');
  const body = template.includes('{{FIGURES}}')
    ? template.replace('{{FIGURES}}', figures)
    : `${template}\n\n${figures}`;
  return `${body.trim()}\n`;
}

/** Replaces the README's `## Performance` section (up to the next `## ` heading), or appends it. */
function updateReadme(path: string, section: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.search(/^## Performance\s*$/m);
  if (start < 0) {
    writeFileSync(path, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const rest = text.slice(start + 1);
  const next = rest.search(/^## /m);
  const end = next < 0 ? text.length : start + 1 + next;
  writeFileSync(path, `${text.slice(0, start)}${section}${next < 0 ? '' : '\n'}${text.slice(end)}`);
}

export { growthTarget, performanceSection, saveResults, summaryTable, targetLine, updateReadme };
export type { ResultsFile, StoredScenario };
