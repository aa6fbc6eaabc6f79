/**
 * The CLI and its terminal: the width the help and the report take (the terminal's, or COLUMNS), the
 * progress view on stderr (bars on a terminal, plain lines otherwise), and what Ctrl-C / SIGTERM do.
 */
import { watchStopSignals, type SignalSource, type StopWatch } from '../interrupt.js';
import { wrapText } from '../report/format.js';
import { ExitCode } from '../report/exitCode.js';
import { createProgressView, type ProgressView } from './progressView.js';

type Mode = 'plan' | 'run';
type Env = Readonly<Record<string, string | undefined>>;

interface TerminalIo {
  /** Progress lines, JSON log lines and error messages. */
  readonly stderr: (text: string) => void;
  /** SIGINT/SIGTERM stop a run at a safe point (`process`; tests emit on an EventEmitter). None: not watched. */
  readonly signals?: SignalSource;
  /** Exits at once (a second Ctrl-C). @default process.exit */
  readonly exit?: (code: number) => void;
  /** stderr when it is a terminal: progress is drawn as live bars there, plain lines otherwise. */
  readonly stderrTty?: NodeJS.WritableStream & { readonly columns?: number };
  /** The terminal's width in columns; else COLUMNS; else 100. */
  readonly columns?: number;
}

/** After the commands' help, wrapped to the terminal's width. */
const EPILOGUE = [
  'Every flag can also be set by its environment variable (shown in brackets); a flag wins over its variable ' +
    "(--no-force-rebuild and the like turn a variable's true off). LOG_GROUP_PREFIXES=/ (or --log-group-prefix /) " +
    'selects every log group on purpose.',
  'Exit codes: 0 done (or the plan was printed) · 1 failed · 2 invalid settings (no AWS call made) · 3 partial: work ' +
    'is left for the next run · 4 another cwl-trim run holds the lease · 130 stopped by Ctrl-C or SIGTERM at a safe ' +
    'point (the lease released, the report written; a second Ctrl-C exits at once).',
] as const;

const epilogue = (width: number): string => `\n${EPILOGUE.map((p) => wrapText(p, width).join('\n')).join('\n\n')}`;

/** COLUMNS, when it is a sensible width. */
function columnsFrom(env: Env): number | undefined {
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns >= 40 ? columns : undefined;
}

/** Help and report width: the terminal's (or COLUMNS), within what the tables can use. */
const widthOf = (io: TerminalIo, env: Env): number =>
  Math.min(160, Math.max(80, io.columns ?? columnsFrom(env) ?? 100));

/** The first Ctrl-C (or SIGTERM) stops a real run at its next safe point; a second one exits at once. */
function watchForStop(mode: Mode, io: TerminalIo, view: ProgressView): StopWatch | undefined {
  if (io.signals === undefined) return undefined;
  const say = (line: string): void => view.progress(line);
  const exitNow = (signal: string): void => {
    say(`cwl-trim: ${signal} again: exiting now; a lease this run holds expires by itself within 20 minutes.`);
    view.stop(); // gives the terminal its line wrapping back
    (io.exit ?? ((code: number) => process.exit(code)))(ExitCode.Interrupted);
  };
  return watchStopSignals({
    source: io.signals,
    // A plan changes nothing and holds no lease: there is nothing to finish.
    onStop: (signal) =>
      mode === 'plan'
        ? exitNow(signal)
        : say(
            `cwl-trim: ${signal}: stopping at the next safe point ` +
              '(the step under way finishes, the lease is released, the report is written); press Ctrl-C again to exit now.',
          ),
    onSecond: exitNow,
  });
}

/** The view that draws progress on stderr: bars on a terminal, plain lines otherwise. */
function progressViewFor(io: TerminalIo, env: Env): ProgressView {
  const columns = io.columns ?? columnsFrom(env);
  return createProgressView({
    write: io.stderr,
    ...(io.stderrTty !== undefined && { tty: io.stderrTty }),
    ...(columns !== undefined && { columns }),
  });
}

export { epilogue, progressViewFor, watchForStop, widthOf };
export type { Env, Mode, TerminalIo };
