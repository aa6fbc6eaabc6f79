/**
 * What a person sees on stderr while a run works. On a terminal: one live bar per phase (listing, export,
 * delete, rebuild) with done/total, rate and ETA, drawn by cli-progress, the other progress lines printed
 * above the bars. Elsewhere (a pipe, CI, a log file): plain lines, a phase's steps at most every
 * {@link PLAIN_STEP_EVERY_MS} (and its last step), and a "still working" line when nothing was printed for
 * {@link HEARTBEAT_MS}, so a long export wait or delete phase never looks like a hang. No colours.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { ProgressEvent, ProgressPhase } from '../deps.js';

/** A line at least this often in a long phase when stderr is not a terminal. */
const HEARTBEAT_MS = 30_000;
/** Plain mode prints a phase's steps no more often than this (its first and last always). */
const PLAIN_STEP_EVERY_MS = 5_000;
/** Redraws of the bars per second on a terminal. */
const BAR_FPS = 5;

const PHASE_LABEL: Record<ProgressPhase, string> = {
  listing: 'listing groups',
  export: 'exporting',
  delete: 'deleting streams',
  rebuild: 'rebuilding',
};

interface ProgressViewOptions {
  /** Where plain lines go (the CLI's stderr). */
  readonly write: (text: string) => void;
  /** A terminal stream for the bars (process.stderr when it is a TTY); plain lines without it. */
  readonly tty?: NodeJS.WritableStream & { readonly columns?: number };
  /** The terminal's width (or COLUMNS): the bar shrinks to fit it. @default 100 */
  readonly columns?: number;
  /** Milliseconds, for rates, ETAs and the heartbeat. @default performance.now */
  readonly now?: () => number;
}

interface ProgressView {
  /** deps.progress: a line, with its structured step when it has one. */
  readonly progress: (line: string, event?: ProgressEvent) => void;
  /** The heartbeat check (plain mode): called every few seconds by `start`, or by tests. */
  tick(): void;
  /** Starts the heartbeat timer and returns the view. */
  start(): ProgressView;
  /** Final redraw of the bars, timers stopped. */
  stop(): void;
}

interface PhaseState {
  subject?: string;
  done: number;
  total?: number;
  /** When this subject's first step came, and its count: the rate is measured from there (not from 0, whose time is unknown). */
  startedAtMs: number;
  startDone: number;
  lastLineAtMs: number;
}

/** "1m 05s", "42s", "2h 03m". */
function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** "12.5/s, ETA 1m 05s", or "" until a rate can be measured. */
function rateText(state: PhaseState, nowMs: number): string {
  const elapsedMs = nowMs - state.startedAtMs;
  const steps = state.done - state.startDone;
  if (elapsedMs <= 0 || steps <= 0) return '';
  const perSecond = (steps * 1000) / elapsedMs;
  const rate =
    perSecond >= 10 ? perSecond.toFixed(0) : perSecond >= 1 ? perSecond.toFixed(1) : perSecond.toPrecision(2);
  if (state.total === undefined || state.done >= state.total) return `${rate}/s`;
  return `${rate}/s, ETA ${formatDuration(((state.total - state.done) / perSecond) * 1000)}`;
}

function stepText(phase: ProgressPhase, state: PhaseState, nowMs: number): string {
  const count = state.total === undefined ? `${state.done}` : `${state.done}/${state.total}`;
  const rate = rateText(state, nowMs);
  return `${PHASE_LABEL[phase]} ${count}${state.subject ? ` ${state.subject}` : ''}${rate ? ` (${rate})` : ''}`;
}

/** The phase's state after one event: a new subject, or a count going back, starts the phase again. */
function advance(previous: PhaseState | undefined, event: ProgressEvent, t: number): PhaseState {
  const fresh = previous === undefined || previous.subject !== event.subject || event.done < previous.done;
  const state: PhaseState = fresh
    ? {
        ...(event.subject !== undefined && { subject: event.subject }),
        done: event.done,
        startedAtMs: t,
        startDone: event.done,
        lastLineAtMs: Number.NEGATIVE_INFINITY,
      }
    : previous;
  state.done = event.done;
  if (event.total !== undefined) state.total = event.total;
  else delete state.total;
  return state;
}

interface TerminalBars {
  /** A line above the bars (straight through until the first bar exists: cli-progress would not flush it). */
  log(line: string): void;
  draw(phase: ProgressPhase, state: PhaseState): void;
  stop(): void;
}

/** One live bar per phase on a terminal (cli-progress), sized to its width. */
function terminalBars(
  tty: NonNullable<ProgressViewOptions['tty']>,
  columns: number,
  write: (text: string) => void,
  now: () => number,
): TerminalBars {
  const multi = new MultiBar({
    stream: tty,
    fps: BAR_FPS,
    format: '{label} [{bar}] {value}/{total} {rate} {subject}',
    // The label, counts and rate take about 45 columns; the bar gets the rest, within reason.
    barsize: Math.min(30, Math.max(10, columns - 75)),
    hideCursor: false,
    clearOnComplete: false,
    linewrap: false,
    autopadding: true,
  });
  const bars = new Map<ProgressPhase, SingleBar>();
  return {
    log(line) {
      if (bars.size > 0) multi.log(`${line}\n`);
      else write(`${line}\n`);
    },
    draw(phase, state) {
      const payload = {
        label: PHASE_LABEL[phase].padEnd(16),
        rate: rateText(state, now()),
        subject: (state.subject ?? '').slice(-Math.max(0, columns - 75)),
      };
      const total = state.total ?? Math.max(state.done, 1);
      const bar = bars.get(phase);
      if (bar === undefined) bars.set(phase, multi.create(total, state.done, payload));
      else {
        bar.setTotal(total);
        bar.update(state.done, payload);
      }
    },
    stop() {
      if (bars.size === 0) return;
      multi.update(); // flushes the lines logged since the last redraw
      multi.stop();
    },
  };
}

/**
 * Creates the view for one CLI run: live bars on a terminal, else a line per step at most every
 * few seconds, and a heartbeat line when nothing was written for a while.
 *
 * @example
 * const view = createProgressView({ write: io.stderr, tty: process.stderr.isTTY ? process.stderr : undefined }).start();
 * try { await runCwlTrim(config, createDeps(config, { progress: view.progress })); } finally { view.stop(); }
 */
function createProgressView(options: ProgressViewOptions): ProgressView {
  const now = options.now ?? (() => performance.now());
  const phases = new Map<ProgressPhase, PhaseState>();
  let current: ProgressPhase | undefined;
  let lastWriteAtMs = now();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const columns = Math.max(40, options.columns ?? options.tty?.columns ?? 100);
  const bars = options.tty === undefined ? undefined : terminalBars(options.tty, columns, options.write, now);
  const writeLine = (line: string): void => {
    lastWriteAtMs = now();
    if (bars) bars.log(line);
    else options.write(`${line}\n`);
  };

  const view: ProgressView = {
    progress(line, event) {
      if (event === undefined) return writeLine(line);
      const t = now();
      const state = advance(phases.get(event.phase), event, t);
      phases.set(event.phase, state);
      current = event.phase;
      if (bars) {
        bars.draw(event.phase, state);
        lastWriteAtMs = t;
        return;
      }
      const last = state.total !== undefined && state.done >= state.total;
      if (last || t - state.lastLineAtMs >= PLAIN_STEP_EVERY_MS) {
        state.lastLineAtMs = t;
        writeLine(`${line}${rateText(state, t) ? ` (${rateText(state, t)})` : ''}`);
      }
    },
    tick() {
      const t = now();
      if (bars || t - lastWriteAtMs < HEARTBEAT_MS) return;
      const state = current === undefined ? undefined : phases.get(current);
      writeLine(
        current === undefined || state === undefined
          ? `still working (${formatDuration(t - lastWriteAtMs)} since the last line)`
          : `still working: ${stepText(current, state, t)}, ${formatDuration(t - state.startedAtMs)} in this phase`,
      );
    },
    start() {
      timer = setInterval(() => view.tick(), HEARTBEAT_MS / 6);
      timer.unref();
      return view;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      bars?.stop();
    },
  };
  return view;
}

export { HEARTBEAT_MS, PLAIN_STEP_EVERY_MS, createProgressView, formatDuration };
export type { ProgressView, ProgressViewOptions };
