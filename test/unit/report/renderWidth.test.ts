/** The report follows the terminal's width (the CLI passes its columns, or COLUMNS), within 80 to 160. */
import { describe, expect, it } from 'vitest';
import { toJsonReport } from '../../../src/report/jsonReport.js';
import { renderTable } from '../../../src/report/renderTable.js';
import { LONG_STREAM, runOf, samplePlan } from './reportFixtures.js';

const lineWidths = (text: string): number[] => text.split('\n').map((line) => [...line].length);

describe('renderTable width', () => {
  const plan = samplePlan(6);
  const report = toJsonReport(
    { plan, result: runOf(plan, { [`${LONG_STREAM}-3`]: { outcome: 'failed', detail: 'x '.repeat(200) } }) },
    { runId: 'r1' },
  );

  it.each([80, 100, 132, 160])(
    'fills a %i-column terminal exactly: its tables are that wide, no line is wider',
    (width) => {
      const widths = lineWidths(renderTable(report, { width }));
      expect(Math.max(...widths)).toBe(width);
    },
  );

  it('keeps to 80..160 columns whatever the terminal says', () => {
    expect(Math.max(...lineWidths(renderTable(report, { width: 40 })))).toBe(80);
    expect(Math.max(...lineWidths(renderTable(report, { width: 400 })))).toBe(160);
  });

  it('is 100 columns without a width, as before', () => {
    expect(renderTable(report)).toBe(renderTable(report, { width: 100 }));
  });
});
