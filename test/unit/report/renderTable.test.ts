import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatPayback,
  formatTime,
  formatUsd,
  formatWindow,
  truncateMiddle,
  wrapText,
} from '../../../src/report/format.js';
import { toJsonReport } from '../../../src/report/jsonReport.js';
import { renderTable } from '../../../src/report/renderTable.js';
import { LONG_STREAM, runOf, samplePlan } from './reportFixtures.js';

/** Columns a line takes in a terminal: the report has no colours and no wide characters. */
const widest = (text: string): number => Math.max(...text.split('\n').map((line) => [...line].length));

describe('renderTable', () => {
  it('never goes beyond 100 columns, even with very long group and stream names', () => {
    // Prepare
    const plan = samplePlan(12);
    const result = runOf(plan, {
      [`${LONG_STREAM}-3`]: { outcome: 'failed', detail: `ThrottlingException: ${'Rate exceeded '.repeat(20)}` },
    });
    // Act
    const planText = renderTable(toJsonReport({ plan }, { runId: 'r1' }));
    const runText = renderTable(
      toJsonReport(
        { plan, result },
        {
          runId: 'r1',
          apiCalls: { DeleteLogStream: { calls: 12, successes: 11, retries: 3, throttles: 3, failures: 1 } },
        },
      ),
    );
    // Assess
    expect(widest(planText)).toBeLessThanOrEqual(100);
    expect(widest(runText)).toBeLessThanOrEqual(100);
    expect(planText).toContain('…'); // the long group name, shortened in the middle
    expect(planText).toContain('/aws/lambda/an-extraordinarily');
  });

  it('says which figures are estimates and which are measured', () => {
    const plan = samplePlan(2);
    const text = renderTable(toJsonReport({ plan, result: runOf(plan) }, { runId: 'r1' }));
    expect(text).toMatch(/Remove \(est\.\)/);
    expect(text).toMatch(/Re-put \(est\.\)/);
    expect(text).toMatch(/Payback \(est\.\)/);
    expect(text).toMatch(/Done \(measured\)\s+│ 2 deleted, 1 rebuilt: 120 events \(8\.8 KB\) put back/);
    expect(text).toContain('Outcome              │ done: everything planned was carried out (exit code 0)');
  });

  it('groups streams by action with their reasons and counts', () => {
    const text = renderTable(toJsonReport({ plan: samplePlan(5) }, { runId: 'r1' }));
    expect(text).toContain('Delete               │ 5 streams — 5 expired: every event is archived');
    expect(text).toContain('Rebuild              │ 1 stream — 1 straddling: events before the cutoff are archived');
    expect(text).toMatch(/Skip\s+│ 1 stream — 1 active: written \d+ min ago/);
    expect(text).toContain('skipped: infrequent-access');
    expect(text).toContain('dry run: read-only calls only, nothing was changed');
  });

  it('shows what is left for the next run after a partial run', () => {
    const plan = samplePlan(2);
    const result = runOf(
      plan,
      { [`${LONG_STREAM}-0`]: { outcome: 'skipped', detail: 'the stream changed since it was planned' } },
      ['/empty'],
    );
    const text = renderTable(toJsonReport({ plan, result }, { runId: 'r1' }));
    expect(text).toContain('Left for the next run (2):');
    expect(text).toContain('- group /empty: not reached before the deadline');
    expect(text).toContain('partial: some work is left for the next run (exit code 3)');
    expect(text).toMatch(/Not done\s+│ 1 skipped — left for the next run/);
  });
});

describe('format', () => {
  it('formats bytes in binary units, as AWS bills them', () => {
    expect([formatBytes(0), formatBytes(512), formatBytes(1536), formatBytes(35 * 1024 ** 3)]).toEqual([
      '0 B',
      '512 B',
      '1.5 KB',
      '35.0 GB',
    ]);
  });

  it('keeps four decimals of small amounts of money', () => {
    expect([formatUsd(0), formatUsd(0.00421), formatUsd(1.364), formatUsd(12_345.6), formatUsd(0.00001)]).toEqual([
      '$0',
      '$0.0042',
      '$1.36',
      '$12,346',
      '<$0.0001',
    ]);
  });

  it('formats counts, payback, times and windows the same in every locale', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect([formatPayback(null), formatPayback(0), formatPayback(7.14)]).toEqual([
      'never',
      'immediate (nothing re-put)',
      '7.1 months',
    ]);
    expect(formatTime(Date.UTC(2026, 10, 14, 12))).toBe('2026-11-14 12:00:00 UTC');
    expect(formatWindow(Date.UTC(2026, 8, 6), Date.UTC(2026, 10, 14, 12) - 1)).toBe(
      '2026-09-06 00:00:00 → before 2026-11-14 12:00:00 UTC',
    );
  });

  it('truncates in the middle and wraps within the width', () => {
    expect(truncateMiddle('/aws/lambda/a-very-long-function-name', 20)).toBe('/aws/lambd…tion-name');
    expect(truncateMiddle('short', 20)).toBe('short');
    expect(
      wrapText(`API calls: ${'DescribeLogStreams 12 · '.repeat(10)}${'x'.repeat(150)}`, 40).every(
        (l) => l.length <= 40,
      ),
    ).toBe(true);
  });
});
