/**
 * The `cwl-trim` command line: `plan` (the dry run), `run` (archive and trim) and `demo`. Flags are
 * generated from the settings table (SETTINGS in config.ts), validated by the same parseConfig as
 * the environment, and win over it. stdout carries only the report; progress, log lines and errors
 * go to stderr. The exit code says how it went (see ExitCode).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Command, CommanderError, Option } from 'commander';
import { awsSetupProblems } from './aws/awsSetup.js';
import { registerArchiveCommands } from './archiveTools/archiveCommands.js';
import { createClients, type AwsClients, type ClientOptions } from './aws/clients.js';
import { awsClientOptions } from './cli/awsClientOptions.js';
import {
  epilogue,
  progressViewFor,
  watchForStop,
  widthOf,
  type Env,
  type Mode,
  type TerminalIo,
} from './cli/terminal.js';
import { parseConfig } from './config.js';
import { SETTINGS, type Overrides, type SettingName, type SettingSpec } from './settings.js';
import { MS_PER_MINUTE } from './constants.js';
import { createDeps, type DepsOptions } from './createDeps.js';
import type { Deadline } from './deps.js';
import type { DemoOptions } from './demo/runDemo.js';
import { ConfigError, LeaseHeldError, describeError } from './errors.js';
import { createLogger } from './logger.js';
import { ExitCode, exitCodeOf } from './report/exitCode.js';
import { renderTable } from './report/renderTable.js';
import { runAndReport } from './runAndReport.js';
import { VERSION } from './version.js';

/** The process around the CLI: its streams, signals and terminal (see TerminalIo), and test hooks. */
interface CliIo extends TerminalIo {
  /** The report (and `--help`). */
  readonly stdout: (text: string) => void;
  /** Merged into createDeps' options: tests share the sandbox's clock and shrink the waits. */
  readonly deps?: DepsOptions;
  /** Passed to the demo: tests pin its clock. */
  readonly demo?: Pick<DemoOptions, 'nowMs'>;
}

/** Flags that are not settings: stripped before the overrides reach parseConfig. */
interface CommandFlags {
  readonly json?: boolean;
  readonly maxMinutes?: string;
  readonly profile?: string;
}

const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** Where the CLI departs from the settings table: its log lines go to stderr, at warn unless asked. */
const CLI_SPECIFIC: Partial<Record<SettingName, Partial<SettingSpec>>> = {
  logLevel: {
    description: "Least severe level of the JSON log lines, which the CLI writes to stderr (stdout is the report's).",
    default: 'warn (in the CLI)',
  },
};

function describe(name: SettingName): string {
  const s: SettingSpec = { ...SETTINGS[name], ...CLI_SPECIFIC[name] };
  const variable = s.fallbackEnv === undefined ? s.env : `${s.env} or ${s.fallbackEnv}`;
  const empty = s.default === undefined || (Array.isArray(s.default) && s.default.length === 0);
  const dflt = s.required === true ? 'required' : empty ? 'optional' : `default ${String(s.default)}`;
  const choices = s.choices === undefined ? '' : ` One of: ${s.choices.join(', ')}.`;
  const repeat = s.kind === 'list' && !/repeat/i.test(s.description) ? ' Repeat the flag for more.' : '';
  return `${s.description}${choices}${repeat} [${variable}; ${dflt}]`;
}

/** Adds one option per setting (none of them with a commander default: unset must stay unset, so the environment applies). */
function addSettingOptions(command: Command, omit: readonly SettingName[]): Map<string, SettingName> {
  const byAttribute = new Map<string, SettingName>();
  for (const name of SETTING_NAMES.filter((n) => !omit.includes(n))) {
    const s: SettingSpec = SETTINGS[name];
    const placeholder =
      s.kind === 'integer' || s.kind === 'number' ? '<n>' : s.kind === 'choice' ? '<choice>' : '<value>';
    const option = new Option(s.kind === 'boolean' ? `--${s.flag}` : `--${s.flag} ${placeholder}`, describe(name));
    if (s.kind === 'list')
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(option);
    // `--no-force-rebuild` beats FORCE_REBUILD=true, as every other flag beats its variable.
    if (s.kind === 'boolean') command.addOption(new Option(`--no-${s.flag}`).hideHelp());
    byAttribute.set(option.attributeName(), name);
  }
  command.option('--json', 'Print the report as JSON (schemaVersion 1) on stdout instead of the table.');
  command.option(
    '--profile <name>',
    'Use this profile of ~/.aws/config and ~/.aws/credentials (its region and credentials), ' +
      'as the AWS CLI does; it wins over keys in the environment. [AWS_PROFILE; optional]',
  );
  command.option(
    '--max-minutes <n>',
    'Stop starting new work after this many minutes; the next run carries on. [optional]',
  );
  return byAttribute;
}

/** The given setting flags, by setting name; the command decides DRY_RUN, and logs default to warn. */
function overridesFrom(
  opts: Record<string, unknown>,
  byAttribute: Map<string, SettingName>,
  mode: Mode,
  env: Env,
): Overrides {
  const overrides: Record<string, unknown> = {};
  for (const [attribute, name] of byAttribute) if (opts[attribute] !== undefined) overrides[name] = opts[attribute];
  if (mode === 'plan') overrides.dryRun = true;
  // stdout is the report's: logs go to stderr, and only warnings unless asked for.
  if (overrides.logLevel === undefined && env[SETTINGS.logLevel.env] === undefined) overrides.logLevel = 'warn';
  return overrides as Overrides;
}

function deadlineFrom(maxMinutes: string | undefined): Deadline | undefined {
  if (maxMinutes === undefined) return undefined;
  const minutes = /^\d+(\.\d+)?$/.test(maxMinutes.trim()) ? Number(maxMinutes) : Number.NaN;
  if (!(minutes > 0)) {
    throw new ConfigError(
      'MAX_MINUTES',
      `--max-minutes must be a number of minutes greater than 0, got ${JSON.stringify(maxMinutes)}. ` +
        'Pass e.g. --max-minutes 14 to stop starting new work after 14 minutes (the next run carries on).',
    );
  }
  const endsAt = performance.now() + minutes * MS_PER_MINUTE;
  return { remainingMs: () => endsAt - performance.now() };
}

/** Runs each check, collecting the ConfigError messages of all of them: every bad flag is reported at once. */
function checkAll<T extends unknown[]>(checks: { [K in keyof T]: () => T[K] }): { values?: T; problems: string[] } {
  const problems: string[] = [];
  const values = checks.map((check) => {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.message.split('\n'));
      return undefined;
    }
  }) as T;
  return problems.length > 0 ? { problems } : { values, problems };
}

/** `plan` or `run`: settings → AWS setup check → deps → runCwlTrim → report on stdout → exit code. */
async function planOrRun(
  mode: Mode,
  opts: Record<string, unknown> & CommandFlags,
  byAttribute: Map<string, SettingName>,
  env: Env,
  io: CliIo,
): Promise<number> {
  const { values, problems } = checkAll<[ReturnType<typeof parseConfig>, Deadline | undefined, ClientOptions]>([
    () => parseConfig(env, overridesFrom(opts, byAttribute, mode, env)),
    () => deadlineFrom(opts.maxMinutes),
    () =>
      awsClientOptions(
        {
          ...(opts.profile !== undefined && { profile: opts.profile }),
          ...(typeof opts.endpointUrl === 'string' && { endpointUrl: opts.endpointUrl }),
        },
        env,
      ),
  ]);
  if (values === undefined) {
    io.stderr(`cwl-trim: invalid settings; nothing was done.\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return ExitCode.BadSettings;
  }
  const [config, deadline, clientOptions] = values;
  const clients: AwsClients = io.deps?.clients ?? createClients(config, clientOptions);
  const destroyClients = (): void => {
    if (io.deps?.clients === undefined) Object.values(clients).forEach((client) => client.destroy());
  };
  const setup = await awsSetupProblems(clients);
  if (setup.length > 0) {
    destroyClients();
    io.stderr(`cwl-trim: the AWS SDK cannot start; nothing was done.\n${setup.map((p) => `  ${p}`).join('\n')}\n`);
    return ExitCode.BadSettings;
  }
  const runId = randomUUID().slice(0, 8);
  const view = progressViewFor(io, env).start();
  // Every stderr line of the run goes through the view: on a terminal it prints them above the live bars.
  const say = (line: string): void => view.progress(line.replace(/\n$/, ''));
  const stop = watchForStop(mode, io, view);
  const deps = createDeps(config, {
    runId,
    logger: createLogger({ level: config.logLevel, runId, destination: { write: say } }),
    progress: view.progress,
    ...(deadline ? { deadline } : {}),
    ...(stop ? { interrupt: stop.signal } : {}),
    ...io.deps,
    clients,
  });
  try {
    const { report, saved } = await runAndReport(config, deps);
    view.stop();
    if (saved)
      io.stderr(
        saved.saved
          ? `report saved to ${saved.uri}\n`
          : `the report could not be saved to ${saved.uri}: ${saved.error}\n`,
      );
    io.stdout(
      opts.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report, { width: widthOf(io, env) }),
    );
    if (stop?.signal.aborted && report.outcome === 'partial') {
      io.stderr(
        `cwl-trim: stopped by ${String(stop.signal.reason)} at a safe point; the next run carries on (exit code 130).\n`,
      );
      return ExitCode.Interrupted;
    }
    return exitCodeOf(report.outcome);
  } catch (err) {
    io.stderr(`cwl-trim: ${describeError(err)}\n`);
    return err instanceof LeaseHeldError ? ExitCode.LeaseHeld : ExitCode.Failed;
  } finally {
    view.stop();
    stop?.dispose();
    await deps.call.limiters.stop();
    destroyClients();
  }
}

function buildProgram(env: Env, io: CliIo, done: (code: number) => void): Command {
  const program = new Command('cwl-trim')
    .description('Archive CloudWatch Logs events to S3, verify the archive, then trim them from CloudWatch.')
    .version(VERSION, '-V, --version', 'Print the version of cwl-trim and exit.')
    // As with `aws --profile dev s3 ls`: the AWS options may also come before the command.
    .option('--profile <name>', "As the command's --profile (cwl-trim --profile dev plan …).")
    .option('--region <region>', "As the command's --region.")
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      getOutHelpWidth: () => widthOf(io, env),
      getErrHelpWidth: () => widthOf(io, env),
    })
    // The longest flags (--price-tier-over-90-per-gb-month <value>) leave under 40 columns at 80 wide:
    // wrap the descriptions there too, rather than let them run past the terminal.
    .configureHelp({ minWidthToWrap: 20 })
    .showHelpAfterError('(cwl-trim <command> --help lists every flag)')
    .addHelpText('after', () => epilogue(widthOf(io, env)));
  const commands = [
    ['plan', 'Dry run: read-only calls only; print what a run would do.', ['dryRun']],
    ['run', 'Archive, verify, then trim; progress on stderr, the report at the end.', []],
  ] as const satisfies readonly (readonly [Mode, string, readonly SettingName[]])[];
  for (const [mode, description, omit] of commands) {
    const command = program
      .command(mode)
      .description(description)
      .addHelpText('after', () => epilogue(widthOf(io, env)));
    const byAttribute = addSettingOptions(command, omit);
    // The command's own flags win over the same ones given before it.
    command.action(async (opts: Record<string, unknown>, self: Command) =>
      done(await planOrRun(mode, { ...self.parent?.opts(), ...opts }, byAttribute, env, io)),
    );
  }
  program
    .command('demo')
    .description(
      'Start a local sandbox, seed an account, plan, run, and prove nothing was lost. No AWS account needed.',
    )
    .action(async () => {
      // Loaded on demand: `plan` and `run` never evaluate the sandbox (the bundle keeps it behind this call).
      const { runDemo } = await import('./demo/runDemo.js');
      const { proof, run: report } = await runDemo({ write: io.stdout, warn: io.stderr, ...io.demo });
      done(proof.nothingLost && report.outcome === 'done' ? ExitCode.Done : ExitCode.Failed);
    });
  registerArchiveCommands(program, env, io, done);
  return program;
}

/**
 * Runs the CLI in-process and resolves to the exit code: 0 done (or a plan printed), 1 failed,
 * 2 invalid settings or usage (no AWS call is made), 3 partial (work left for the next run),
 * 4 another run holds the lease. It never calls `process.exit`.
 *
 * @param argv - the arguments after the program name, e.g. `['plan', '--days', '30']`.
 * @param env - the environment the settings are read from (flags win over it).
 * @example
 * process.exitCode = await main(process.argv.slice(2), process.env, processIo);
 */
async function main(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  let code: number = ExitCode.Done;
  const program = buildProgram(env, io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version'
        ? ExitCode.Done
        : ExitCode.BadSettings;
    }
    io.stderr(`cwl-trim: ${describeError(err)}\n`);
    return ExitCode.Failed;
  }
}

/** The real process's streams. */
const processIo: CliIo = Object.freeze({
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
  signals: process,
  exit: (code: number) => process.exit(code),
  ...(process.stderr.isTTY && { stderrTty: process.stderr }),
  ...(process.stdout.isTTY && { columns: process.stdout.columns }),
});

/**
 * Runs the CLI as the process: real argv, environment and streams, and the exit code set (not
 * forced: pending writes to stdout still drain).
 *
 * @example void runAsProgram(); // src/bin.ts, bundled into dist/cli.js
 */
async function runAsProgram(): Promise<void> {
  // `cwl-trim plan | head` closes stdout early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  process.exitCode = await main(process.argv.slice(2), process.env, processIo);
}

export { main, processIo, runAsProgram };
export type { CliIo };
