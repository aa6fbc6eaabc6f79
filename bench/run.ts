/**
 * `npm run bench [-- <scenario>…] [--readme]`: runs the benchmark scenarios, each in its own worker
 * process (with the sandbox in yet another), prints a row per scenario, a summary table and a met /
 * not met line per target, and merges every figure into bench/results.json. `--readme` also rewrites
 * the README's Performance section from bench/performance.md and the results.
 *
 * Scenarios: fleet, rebuild (250,000 and 1,000,000 events), cpu, backlog (all four by default), and
 * huge-group, huge-drain (by name only: many minutes each). `--key=value` overrides a scenario
 * parameter, e.g. `npm run bench -- huge-group --sizes=[200000,50000]`. Not a test: nothing here fails
 * on a figure, only on a scenario that could not run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { growthTarget, performanceSection, saveResults, summaryTable, targetLine, updateReadme } from './report.js';
import { forkTs } from './sandboxClient.js';
import type { ScenarioName } from './scenarios/index.js';
import type { ScenarioResult } from './types.js';

interface Job {
  readonly scenario: ScenarioName;
  readonly params: Record<string, unknown>;
  readonly title: string;
}

const JOBS: Record<string, readonly Job[]> = {
  fleet: [{ scenario: 'fleet', params: {}, title: 'Fleet' }],
  rebuild: [
    { scenario: 'rebuild', params: { keptEvents: 250_000 }, title: 'Big rebuild, 250,000 events' },
    { scenario: 'rebuild', params: { keptEvents: 1_000_000 }, title: 'Big rebuild, 1,000,000 events' },
  ],
  cpu: [{ scenario: 'rebuild', params: { mode: 'cpu', keptEvents: 1_000_000 }, title: 'CPU path, 1,000,000 events' }],
  backlog: [{ scenario: 'backlog', params: {}, title: 'Export backlog' }],
  'huge-group': [{ scenario: 'huge-group', params: {}, title: 'Huge group' }],
  'huge-drain': [
    { scenario: 'huge-drain', params: { variant: 'group' }, title: 'Huge drain, one group' },
    { scenario: 'huge-drain', params: { variant: 'fleet' }, title: 'Huge drain, many groups' },
  ],
  'huge-drain-group': [{ scenario: 'huge-drain', params: { variant: 'group' }, title: 'Huge drain, one group' }],
  'huge-drain-fleet': [{ scenario: 'huge-drain', params: { variant: 'fleet' }, title: 'Huge drain, many groups' }],
  'archive-cat': [{ scenario: 'archive-cat', params: {}, title: 'archive cat, 1,000,000 events' }],
  'archive-wide': [{ scenario: 'archive-wide', params: {}, title: 'archive cat, one window of 1,000,000 streams' }],
};

/** Run when no scenario is named: the huge ones take many minutes each and are run by name. */
const DEFAULT_SCENARIOS = ['fleet', 'rebuild', 'cpu', 'backlog'];

/** `--key=value` overrides a parameter of every job run (numbers and JSON arrays parsed). */
function overrides(argv: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const arg of argv) {
    const m = /^--([A-Za-z][\w]*)=(.*)$/.exec(arg);
    if (!m) continue;
    const raw = m[2]!;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[m[1]!] = value;
  }
  return out;
}

const path = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Runs one job in a fresh worker process and returns what it sent back. */
function runJob(job: Job): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const worker = forkTs('./worker.ts', [job.scenario, JSON.stringify(job.params)]);
    let settled = false;
    worker.on('message', (message: { result?: ScenarioResult; error?: string }) => {
      settled = true;
      if (message.result) resolve(message.result);
      else reject(new Error(`${job.title} failed:\n${message.error}`));
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`${job.title}: the worker exited (${code}) without a result`));
    });
  });
}

function parseArgs(argv: readonly string[]): { jobs: Job[]; readme: boolean } {
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in JOBS));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(JOBS).join(', ')}`);
  }
  const chosen = names.length > 0 ? names : DEFAULT_SCENARIOS;
  const extra = overrides(argv);
  return {
    jobs: chosen.flatMap((n) => JOBS[n]!.map((j) => ({ ...j, params: { ...j.params, ...extra } }))),
    readme: argv.includes('--readme'),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { jobs, readme } = parseArgs(argv);
  const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
  const results: ScenarioResult[] = [];
  const started = Date.now();
  for (const job of jobs) {
    process.stdout.write(`\n▶ ${job.title} …\n`);
    const t0 = Date.now();
    const result = await runJob(job);
    results.push(result);
    console.log(summaryTable([result.row]));
    for (const note of result.notes) console.log(`  ${note}`);
    console.log(`  (${Math.round((Date.now() - t0) / 100) / 10} s including seeding)`);
  }
  const file = saveResults(path('./results.json'), command, results);
  const growth = growthTarget(file.scenarios);
  const ranRebuilds = results.some((r) => r.name.startsWith('rebuild-'));
  const targets = [...results.flatMap((r) => r.targets), ...(growth && ranRebuilds ? [growth] : [])];
  console.log(`\n== Summary (${command}, ${Math.round((Date.now() - started) / 1000)} s) ==\n`);
  console.log(summaryTable(results.map((r) => r.row)));
  console.log('');
  for (const t of targets) console.log(targetLine(t));
  console.log(`\nFigures written to bench/results.json${readme ? ' and README.md (Performance)' : ''}.`);
  if (readme)
    updateReadme(path('../README.md'), performanceSection(file, readFileSync(path('./performance.md'), 'utf8')));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
