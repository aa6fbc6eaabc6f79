/**
 * Progress as people see it: plain lines off a terminal (throttled steps with rate and ETA, a heartbeat
 * every 30 s of silence), live bars with done/total on a terminal. Time is a variable the test moves.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_MS, createProgressView, formatDuration } from '../../../src/cli/progressView.js';

function plain() {
  let nowMs = 0;
  const lines: string[] = [];
  const view = createProgressView({ write: (t) => lines.push(t.trimEnd()), now: () => nowMs });
  return {
    view,
    lines,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe('plain lines (not a terminal)', () => {
  it('prints lines without a step as they come', () => {
    const { view, lines } = plain();
    view.progress('report saved');
    expect(lines).toEqual(['report saved']);
  });

  it("prints a phase's first step, then at most every 5 s with rate and ETA, and always its last", () => {
    const { view, lines, advance } = plain();
    for (let done = 1; done <= 100; done += 1) {
      view.progress(`deleted ${done}/100`, { phase: 'delete', done, total: 100, subject: '/app/a' });
      advance(100);
    }
    expect(lines[0]).toBe('deleted 1/100');
    expect(lines).toContain('deleted 51/100 (10/s, ETA 5s)');
    expect(lines.at(-1)).toBe('deleted 100/100 (10/s)');
    expect(lines.length).toBeLessThan(5);
  });

  it('says it is still working after 30 s without a line, naming the phase, and not before', () => {
    const { view, lines, advance } = plain();
    view.progress('waiting', { phase: 'export', done: 1, total: 3, subject: '/app/a' });
    advance(HEARTBEAT_MS - 1);
    view.tick();
    expect(lines).toEqual(['waiting']);
    advance(1);
    view.tick();
    expect(lines.at(-1)).toBe('still working: exporting 1/3 /app/a, 30s in this phase');
    view.tick();
    expect(lines).toHaveLength(2);
  });
});

describe('bars (a terminal)', () => {
  it('draws done/total per phase, with the other lines above the bars', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let out = '';
    tty.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const plainLines: string[] = [];
    let nowMs = 0;
    const view = createProgressView({ write: (t) => plainLines.push(t), tty, now: () => nowMs });
    view.progress('discovering', { phase: 'listing', done: 1, total: 4 });
    nowMs += 1_000;
    view.progress('discovering', { phase: 'listing', done: 4, total: 4 });
    view.progress('rebuilding /app/a s1', { phase: 'rebuild', done: 2, total: 10, subject: 's1' });
    view.progress('report saved');
    view.stop();
    expect(out).toMatch(/listing groups\s+\[=+\] 4\/4 3\.0\/s/);
    expect(out).toMatch(/rebuilding\s+\[=*-+\] 2\/10 .*s1/);
    expect(out).toContain('report saved');
    expect(plainLines).toEqual([]);
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect([formatDuration(42_000), formatDuration(65_000), formatDuration(7_380_000)]).toEqual([
      '42s',
      '1m 05s',
      '2h 03m',
    ]);
  });
});
