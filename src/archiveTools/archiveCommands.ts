/**
 * `cwl-trim archive …`: the archive as a product. `cat` (events in timestamp order), `verify`
 * (manifests against S3), `ls` (windows, gaps, journals), `restore` (events back into a new group),
 * `athena-ddl` (a table over the export layout). Same settings as `plan`/`run` for the bucket, prefix,
 * endpoint, Region, profile (AWS_PROFILE) and quota share; none of them needs DAYS or a group selection.
 * Registered on the program by {@link registerArchiveCommands} (one call in src/cli.ts).
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import { createClients, type AwsClients, type ClientOptions } from '../aws/clients.js';
import { parseConfig } from '../config.js';
import { SETTINGS, type Overrides, type SettingName } from '../settings.js';
import { createDeps, type DepsOptions } from '../createDeps.js';
import type { Deps } from '../deps.js';
import { ConfigError, describeError } from '../errors.js';
import { createLogger } from '../logger.js';
import { ExitCode } from '../report/exitCode.js';
import type { Config } from '../types.js';
import { athenaDdl } from './athenaDdl.js';
import { catRequest, type CatFlags } from './catQuery.js';
import { formatEventJson, formatEventLine } from './exportLines.js';
import { listArchive, renderListing } from './listArchive.js';
import { readArchive, type ReadProgress } from './readArchive.js';
import { restoreArchive } from './restoreArchive.js';
import { renderVerification, verifyArchive } from './verifyArchive.js';

type Env = Record<string, string | undefined>;

interface ArchiveIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly deps?: DepsOptions;
}

/** The settings an archive command reads (DAYS and the group selection are the run's, not the archive's). */
const ARCHIVE_SETTINGS = [
  'bucket',
  'bucketPrefix',
  'region',
  'endpointUrl',
  'quotaShare',
  'logLevel',
] as const satisfies readonly SettingName[];

/**
 * Operations only the archive commands call, with their default quota (TPS): the limiters need one.
 * GetObject too: a run reads a few objects, but cat reads an object per stream and window (a window of
 * a million streams is a million GETs: 83 minutes at the runs' 200 a second). 2,000 a second is still
 * well under S3's 5,500 reads a second per prefix, and nobody else reads the archive prefix.
 */
const ARCHIVE_QUOTAS_TPS = { CreateLogGroup: 5, GetObject: 2_000 } as const;

function addArchiveSettings(command: Command): Command {
  for (const name of ARCHIVE_SETTINGS) {
    const s = SETTINGS[name];
    const variable = 'fallbackEnv' in s ? `${s.env} or ${s.fallbackEnv}` : s.env;
    const dflt =
      'required' in s && s.required
        ? 'required'
        : 'default' in s && s.default !== undefined
          ? `default ${String(s.default)}`
          : 'optional';
    // Archive commands print data on stdout: their log lines go to stderr, at warn unless asked.
    const description =
      name === 'logLevel' ? 'Least severe level of the JSON log lines, written to stderr.' : s.description;
    command.addOption(
      new Option(
        `--${s.flag} <value>`,
        `${description} [${variable}; ${name === 'logLevel' ? 'default warn here' : dflt}]`,
      ),
    );
  }
  return command;
}

function overridesOf(opts: Record<string, unknown>, env: Env): Overrides {
  const overrides: Record<string, unknown> = { days: '1', logGroupPrefixes: ['/'] };
  for (const name of ARCHIVE_SETTINGS) {
    const attribute = new Option(`--${SETTINGS[name].flag} <v>`).attributeName();
    if (opts[attribute] !== undefined) overrides[name] = opts[attribute];
  }
  if (overrides.logLevel === undefined && env[SETTINGS.logLevel.env] === undefined) overrides.logLevel = 'warn';
  return overrides as Overrides;
}

function credentialsFrom(env: Env): ClientOptions {
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  if (!accessKeyId || !secretAccessKey) return {};
  return { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } };
}

function badSettings(io: ArchiveIo, err: ConfigError): number {
  io.stderr(
    `cwl-trim archive: invalid settings; nothing was done.\n${err.message
      .split('\n')
      .map((p) => `  ${p}`)
      .join('\n')}\n`,
  );
  return ExitCode.BadSettings;
}

/** Settings → deps → the command's work → exit code; errors on stderr. */
async function withDeps(
  opts: Record<string, unknown>,
  env: Env,
  io: ArchiveIo,
  work: (config: Readonly<Config>, deps: Deps) => Promise<number>,
): Promise<number> {
  let config: Readonly<Config>;
  try {
    config = parseConfig(env, overridesOf(opts, env));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return badSettings(io, err);
  }
  const clients: AwsClients = io.deps?.clients ?? createClients(config, credentialsFrom(env));
  const runId = randomUUID().slice(0, 8);
  const deps = createDeps(config, {
    runId,
    logger: createLogger({ level: config.logLevel, runId, destination: { write: io.stderr } }),
    progress: (line) => io.stderr(`${line}\n`),
    ...io.deps,
    quotasTps: { ...ARCHIVE_QUOTAS_TPS, ...io.deps?.quotasTps },
    clients,
  });
  try {
    return await work(config, deps);
  } catch (err) {
    if (err instanceof ConfigError) return badSettings(io, err);
    io.stderr(`cwl-trim archive: ${describeError(err)}\n`);
    return ExitCode.Failed;
  } finally {
    await deps.call.limiters.stop();
    if (io.deps?.clients === undefined) Object.values(clients).forEach((client) => client.destroy());
  }
}

/** Writes to stdout and, when stdout is the process's and its buffer is full, waits for it to drain: memory stays bounded behind a slow reader. */
async function writeOut(io: ArchiveIo, text: string): Promise<void> {
  io.stdout(text);
  if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
}

/** A progress line at most twice a second, on stderr, only on a terminal. */
function progressPrinter(io: ArchiveIo): (p: ReadProgress) => void {
  if (process.stderr.isTTY !== true) return () => undefined;
  let lastMs = 0;
  return (p) => {
    const now = Date.now();
    if (now - lastMs < 500 && p.objectsRead < p.objects) return;
    lastMs = now;
    io.stderr(
      `\rarchive cat: ${p.objectsRead}/${p.objects} objects read, ${p.events.toLocaleString('en-US')} events\u001b[K${p.objectsRead === p.objects ? '\n' : ''}`,
    );
  };
}

interface CatOptions extends CatFlags {
  readonly logGroup: string;
  readonly json?: boolean;
}

async function cat(opts: CatOptions, config: Readonly<Config>, deps: Deps, io: ArchiveIo): Promise<number> {
  const request = catRequest(opts, deps.clock.now());
  const format = opts.json === true ? formatEventJson : formatEventLine;
  const progress = progressPrinter(io);
  let unreadable = 0;
  const source = readArchive(deps, config, opts.logGroup, request, {
    onProgress: progress,
    onUnreadableWindow: (fromMs, toMs, problem) => {
      unreadable += 1;
      io.stderr(
        `archive cat: window ${new Date(fromMs).toISOString()} – ${new Date(toMs).toISOString()} cannot be read: ${problem} (run archive verify)\n`,
      );
    },
    onNoArchive: () => {
      unreadable += 1;
      io.stderr(
        `archive cat: nothing is archived for ${opts.logGroup} under s3://${config.bucket}/${config.bucketPrefix}/ ` +
          '(archive ls lists the archived groups; check --bucket and --bucket-prefix)\n',
      );
    },
  });
  for await (const batch of source) await writeOut(io, `${batch.map(format).join('\n')}\n`);
  return unreadable > 0 ? ExitCode.Failed : ExitCode.Done;
}

/** A subcommand's action: settings and clients from its options, the work, then its exit code. */
type ArchiveAction = <T extends Record<string, unknown>>(
  work: (opts: T, config: Readonly<Config>, deps: Deps) => Promise<number>,
) => (opts: T) => Promise<void>;

function addCat(archive: Command, run: ArchiveAction, io: ArchiveIo): void {
  addArchiveSettings(
    archive
      .command('cat')
      .description(
        'Print archived events of one group in timestamp order: <ISO-8601 UTC ms> <stream> <message> (or JSON lines).',
      )
      .requiredOption('--log-group <name>', 'The log group whose archive to read.')
      .option('--stream <name>', 'Only this stream (exact name).')
      .option('--stream-prefix <prefix>', 'Only streams whose name starts with this.')
      .option('--start <time>', 'From this time, inclusive: ISO-8601 UTC (2026-10-01), epoch ms, or an age (30d, 12h).')
      .option('--end <time>', 'Until this time, exclusive (same forms as --start).')
      .option('--grep <text>', 'Only events whose message contains this text.')
      .option('--regex <re>', 'Only events whose message matches this regular expression.')
      .option('--json', 'JSON lines: {"timestamp","logStreamName","message"}.'),
  ).action(run<CatOptions & Record<string, unknown>>((opts, config, deps) => cat(opts, config, deps, io)));
}

function addVerify(archive: Command, run: ArchiveAction, io: ArchiveIo): void {
  addArchiveSettings(
    archive
      .command('verify')
      .description(
        "Check every manifest's objects exist with the listed sizes, windows are contiguous, and nothing unlisted sits under exports/. Exit 0 only when all holds.",
      )
      .option('--log-group <name>', 'Only this group (default: every archived group).')
      .option('--json', 'Print the findings as JSON.'),
  ).action(
    run<{ logGroup?: string; json?: boolean }>(async (opts, config, deps) => {
      const result = await verifyArchive(deps, config, opts.logGroup);
      await writeOut(io, opts.json === true ? `${JSON.stringify(result, null, 2)}\n` : renderVerification(result));
      return result.ok ? ExitCode.Done : ExitCode.Failed;
    }),
  );
}

function addLs(archive: Command, run: ArchiveAction, io: ArchiveIo): void {
  addArchiveSettings(
    archive
      .command('ls')
      .description('Per group: archived windows, watermark, rebuild journals and rejected events, gaps and overlaps.')
      .option('--log-group <name>', 'Only this group (default: every archived group).')
      .option('--json', 'Print the listing as JSON.'),
  ).action(
    run<{ logGroup?: string; json?: boolean }>(async (opts, config, deps) => {
      const listing = await listArchive(deps, config, opts.logGroup);
      await writeOut(io, opts.json === true ? `${JSON.stringify(listing, null, 2)}\n` : renderListing(listing));
      return ExitCode.Done;
    }),
  );
}

function addRestore(archive: Command, run: ArchiveAction, io: ArchiveIo): void {
  addArchiveSettings(
    archive
      .command('restore')
      .description(
        'Put archived events of a time range back into a NEW log group (created if absent, never the original). Resumable: run it again to finish.',
      )
      .requiredOption('--log-group <name>', 'The archived group to read.')
      .requiredOption('--start <time>', 'From this time, inclusive (same forms as archive cat).')
      .requiredOption('--end <time>', 'Until this time, exclusive.')
      .requiredOption('--to-log-group <name>', 'The group to put the events into; must differ from --log-group.')
      .option('--stream <name>', 'Only this stream (exact name).')
      .option('--stream-prefix <prefix>', 'Only streams whose name starts with this.'),
  ).action(
    run<{ logGroup: string; toLogGroup: string; start: string; end: string; stream?: string; streamPrefix?: string }>(
      async (opts, config, deps) => {
        const outcome = await restoreArchive(deps, config, opts);
        await writeOut(io, `${outcome.text}\n`);
        return outcome.ok ? ExitCode.Done : ExitCode.Failed;
      },
    ),
  );
}

/** Needs no AWS call: only the bucket and prefix settings. */
function addAthenaDdl(archive: Command, env: Env, io: ArchiveIo, done: (code: number) => void): void {
  addArchiveSettings(
    archive
      .command('athena-ddl')
      .description('Print a CREATE EXTERNAL TABLE (partition projection) for Amazon Athena over the export layout.')
      .option('--table <name>', 'Table name.', 'cwl_archive')
      .option('--database <name>', 'Database name.', 'default'),
  ).action((opts: { table: string; database: string } & Record<string, unknown>) => {
    try {
      const config = parseConfig(env, overridesOf(opts, env));
      io.stdout(
        athenaDdl({
          bucket: config.bucket,
          bucketPrefix: config.bucketPrefix,
          table: opts.table,
          database: opts.database,
        }),
      );
      done(ExitCode.Done);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      done(badSettings(io, err));
    }
  });
}

/**
 * Adds `archive` and its subcommands to the program; each reports its exit code through `done`.
 *
 * @example registerArchiveCommands(program, process.env, processIo, (code) => { exitCode = code; });
 */
function registerArchiveCommands(program: Command, env: Env, io: ArchiveIo, done: (code: number) => void): void {
  const archive = program
    .command('archive')
    .description('Read, check and restore the archive in S3: cat, verify, ls, restore, athena-ddl.');
  const run: ArchiveAction = (work) => async (opts) =>
    done(await withDeps(opts, env, io, (config, deps) => work(opts, config, deps)));
  addCat(archive, run, io);
  addVerify(archive, run, io);
  addLs(archive, run, io);
  addRestore(archive, run, io);
  addAthenaDdl(archive, env, io, done);
}

export { ARCHIVE_QUOTAS_TPS, registerArchiveCommands };
export type { ArchiveIo };
