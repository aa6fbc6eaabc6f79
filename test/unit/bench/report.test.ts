import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  growthTarget,
  performanceSection,
  saveResults,
  updateReadme,
  type StoredScenario,
} from '../../../bench/report.js';
import type { ScenarioResult } from '../../../bench/types.js';

const scenario = (name: string, peakRssMb?: number): ScenarioResult => ({
  name,
  row: { scenario: name, work: 'w', ...(peakRssMb === undefined ? {} : { peakRssMb }) },
  targets: [{ target: `${name} target`, measured: 'm', met: true }],
  params: {},
  figures: {},
  notes: [],
});

const stored = (name: string, peakRssMb: number): StoredScenario => ({
  ...scenario(name, peakRssMb),
  command: 'npm run bench',
  date: '2026-11-22T00:00:00.000Z',
  machine: { node: 'v20', cpus: 2, cpuModel: 'cpu', memoryGb: 4, platform: 'linux-x64' },
});

const tempFile = (name: string, text?: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'bench-')), name);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};

describe('bench report', () => {
  it('holds rebuild memory to within 15 % growth from 250,000 to 1,000,000 events', () => {
    expect(
      growthTarget({
        'rebuild-250000': stored('rebuild-250000', 200),
        'rebuild-1000000': stored('rebuild-1000000', 229),
      })?.met,
    ).toBe(true);
    expect(
      growthTarget({
        'rebuild-250000': stored('rebuild-250000', 200),
        'rebuild-1000000': stored('rebuild-1000000', 231),
      })?.met,
    ).toBe(false);
    expect(growthTarget({ 'rebuild-250000': stored('rebuild-250000', 200) })).toBeUndefined();
  });

  it('keeps the other scenarios of results.json when one scenario runs again', () => {
    const path = tempFile('results.json');
    saveResults(path, 'npm run bench', [scenario('fleet'), scenario('backlog')]);
    const file = saveResults(path, 'npm run bench -- fleet', [scenario('fleet')]);
    expect(Object.keys(file.scenarios).sort()).toEqual(['backlog', 'fleet']);
    expect(file.scenarios['fleet']?.command).toBe('npm run bench -- fleet');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(file);
  });

  it("replaces only the README's Performance section, up to the next heading", () => {
    const readme = tempFile('README.md', '# cwl-trim\n\n## Performance\n\nold figures\n\n## Known limits\n\nkept\n');
    const section = performanceSection(
      { note: '', scenarios: { fleet: stored('fleet', 1) } },
      '## Performance\n\n{{FIGURES}}\n',
    );
    updateReadme(readme, section);
    const text = readFileSync(readme, 'utf8');
    expect(text).not.toContain('old figures');
    expect(text).toContain('- **met**: fleet target: m');
    expect(text).toMatch(/\| fleet +\| w +\|/);
    expect(text.endsWith('## Known limits\n\nkept\n')).toBe(true);
    expect(text.startsWith('# cwl-trim\n\n## Performance\n')).toBe(true);
  });
});
