/**
 * Every setting of cwl-trim, once: its environment variable, CLI flag, kind, default, example and
 * description. The parser (src/config.ts), the CLI's flags and `--help`, serverless.yml's parameters
 * and the README's settings table are all derived from this table.
 */
import type { LogLevel, Strategy } from './types.js';

/** The shape every {@link SETTINGS} entry has; the table itself keeps its literal types. */
interface SettingSpec {
  /** Environment variable (Lambda, shell); `fallbackEnv` is read when it is unset. */
  readonly env: string;
  readonly fallbackEnv?: string;
  /** CLI flag without the leading `--`. A `list` flag may be repeated; a `boolean` flag takes no value. */
  readonly flag: string;
  readonly kind: 'integer' | 'number' | 'string' | 'list' | 'boolean' | 'choice';
  readonly required?: boolean;
  readonly default?: string | number | boolean | readonly string[]; // what an unset or empty value means
  /** A valid value, shown in `--help` and in the fix that ends every error message. */
  readonly example: string;
  readonly choices?: readonly string[];
  readonly description: string;
  /** Appended to the fix (with its own leading separator). */
  readonly why?: string;
  /** Variables people set by mistake for this one: each is an error that names the right variable. */
  readonly nearMisses?: readonly string[];
}

const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LogLevel[];
const STRATEGIES = ['rebuild', 'retention'] as const satisfies readonly Strategy[];

const SETTINGS = {
  days: {
    env: 'DAYS',
    flag: 'days',
    kind: 'integer',
    required: true,
    example: '30',
    description: 'Archive, then trim, the events older than this many days. Whole number ≥ 1.',
    why: ' to archive and trim events older than 30 days',
    nearMisses: ['DAY', 'RETENTION_DAYS'],
  },
  bucket: {
    env: 'BUCKET',
    flag: 'bucket',
    kind: 'string',
    required: true,
    example: 'my-archive',
    description: 'Name of the S3 bucket that receives the archive (same Region as the log groups).',
    nearMisses: ['BUCKET_NAME', 'S3_BUCKET'],
  },
  bucketPrefix: {
    env: 'BUCKET_PREFIX',
    flag: 'bucket-prefix',
    kind: 'string',
    default: 'cwl-archive',
    example: 'cwl-archive',
    description: 'Key prefix of all cwl-trim writes in the bucket (archive, manifests, state).',
    nearMisses: ['S3_PREFIX'],
  },
  logGroupNames: {
    env: 'LOG_GROUP_NAMES',
    flag: 'log-group-name',
    kind: 'list',
    default: [],
    example: '/aws/lambda/orders',
    description: 'Log groups to manage, by exact name. Comma-separated; repeat the flag.',
    nearMisses: ['LOG_GROUP_NAME'],
  },
  logGroupPrefixes: {
    env: 'LOG_GROUP_PREFIXES',
    flag: 'log-group-prefix',
    kind: 'list',
    default: [],
    example: '/aws/lambda/',
    description: 'Log groups to manage, by name prefix; "/" selects every group on purpose.',
    nearMisses: ['LOG_GROUP_PREFIX'],
  },
  logGroupTag: {
    env: 'LOG_GROUP_TAG',
    flag: 'tag',
    kind: 'string',
    example: 'AutoExport=True',
    description: 'Only log groups carrying this tag, as Key=Value.',
    nearMisses: ['LOG_GROUP_TAGS'],
  },
  excludeLogGroupPrefixes: {
    env: 'EXCLUDE_LOG_GROUP_PREFIXES',
    flag: 'exclude-prefix',
    kind: 'list',
    default: [],
    example: '/aws/lambda/prod-',
    description: 'Never touch log groups whose name starts with one of these.',
    nearMisses: ['EXCLUDE_LOG_GROUP_PREFIX', 'EXCLUDE_PREFIXES'],
  },
  dryRun: {
    env: 'DRY_RUN',
    flag: 'dry-run',
    kind: 'boolean',
    default: false,
    example: 'true',
    description: 'Make read-only calls and report what a run would do.',
    nearMisses: ['DRYRUN'],
  },
  logLevel: {
    env: 'LOG_LEVEL',
    flag: 'log-level',
    kind: 'choice',
    choices: LOG_LEVELS,
    default: 'info',
    example: 'info',
    description: 'Least severe level of the JSON log lines written to stdout.',
  },
  region: {
    env: 'AWS_REGION',
    fallbackEnv: 'AWS_DEFAULT_REGION',
    flag: 'region',
    kind: 'string',
    example: 'us-east-1',
    description: 'AWS Region (else AWS_DEFAULT_REGION, else the SDK profile).',
  },
  endpointUrl: {
    env: 'AWS_ENDPOINT_URL',
    flag: 'endpoint-url',
    kind: 'string',
    example: 'http://127.0.0.1:4566',
    description: 'Custom endpoint for every AWS call (a local sandbox); S3 then uses path-style requests.',
  },
  strategy: {
    env: 'STRATEGY',
    flag: 'strategy',
    kind: 'choice',
    choices: STRATEGIES,
    default: 'rebuild',
    example: 'rebuild',
    description:
      'rebuild: delete archived streams and rebuild straddling ones; ' +
      'retention: set the retention policy and delete nothing.',
  },
  quietMinutes: {
    env: 'QUIET_MINUTES',
    flag: 'quiet-minutes',
    kind: 'integer',
    default: 180,
    example: '180',
    description: 'Rebuild a stream only after this many minutes without ingestion. Whole number ≥ 60.',
    why:
      ': stream metadata (lastIngestionTime) lags by up to an hour, so a shorter wait could rebuild a stream ' +
      'that is still being written',
    nearMisses: ['QUIET_MINUTE'],
  },
  forceRebuild: {
    env: 'FORCE_REBUILD',
    flag: 'force-rebuild',
    kind: 'boolean',
    default: false,
    example: 'true',
    description: 'Rebuild even when the re-ingestion cost does not pay back within PAYBACK_MONTHS.',
  },
  allowFilteredGroups: {
    env: 'ALLOW_FILTERED_GROUPS',
    flag: 'allow-filtered-groups',
    kind: 'boolean',
    default: false,
    example: 'true',
    description:
      'Rebuild streams of groups with subscription or metric filters ' +
      '(re-put events are delivered and counted again).',
  },
  unmask: {
    env: 'UNMASK',
    flag: 'unmask',
    kind: 'boolean',
    default: false,
    example: 'true',
    description: 'Read data-protected groups unmasked (needs logs:Unmask); otherwise their streams are not rebuilt.',
  },
  deleteEmptyGroups: {
    env: 'DELETE_EMPTY_GROUPS',
    flag: 'delete-empty-groups',
    kind: 'boolean',
    default: false,
    example: 'true',
    description:
      'Delete a selected log group that has no stream and no filter left, once its archive ' +
      'state says every event is archived (see it in a dry run first).',
  },
  quotaShare: {
    env: 'QUOTA_SHARE',
    flag: 'quota-share',
    kind: 'number',
    default: 0.5,
    example: '0.5',
    description: 'Share (0 < share ≤ 1) of each CloudWatch Logs API quota cwl-trim may use; producers need the rest.',
  },
  priceIngestionPerGb: {
    env: 'PRICE_INGESTION_PER_GB',
    flag: 'price-ingestion-per-gb',
    kind: 'number',
    default: 0.5,
    example: '0.5',
    description: 'USD per uncompressed GB ingested (paid again for every re-put byte).',
  },
  priceStoragePerGbMonth: {
    env: 'PRICE_STORAGE_PER_GB_MONTH',
    flag: 'price-storage-per-gb-month',
    kind: 'number',
    default: 0.03,
    example: '0.03',
    description: 'USD per compressed GB-month stored in CloudWatch Logs.',
  },
  priceArchivePerGbMonth: {
    env: 'PRICE_ARCHIVE_PER_GB_MONTH',
    flag: 'price-archive-per-gb-month',
    kind: 'number',
    default: 0.023,
    example: '0.023',
    description: 'USD per GB-month of the archive in S3.',
  },
  priceTier30To90PerGbMonth: {
    env: 'PRICE_TIER_30_90_PER_GB_MONTH',
    flag: 'price-tier-30-90-per-gb-month',
    kind: 'number',
    default: 0.018,
    example: '0.018',
    description:
      'With Intelligent-Tiering: USD per GB-month of CloudWatch data 30–90 days ' +
      'old (default: 40 % below storage, see the README for the source).',
  },
  priceTierOver90PerGbMonth: {
    env: 'PRICE_TIER_OVER_90_PER_GB_MONTH',
    flag: 'price-tier-over-90-per-gb-month',
    kind: 'number',
    default: 0.006,
    example: '0.006',
    description:
      'With Intelligent-Tiering: USD per GB-month of CloudWatch data over 90 ' +
      'days old (default: 80 % below storage).',
  },
  compressionRatio: {
    env: 'COMPRESSION_RATIO',
    flag: 'compression-ratio',
    kind: 'number',
    default: 6.67,
    example: '6.67',
    description:
      'Uncompressed bytes ÷ stored bytes, to estimate re-ingestion from storedBytes (default: the AWS pricing ' +
      "calculator's stored = 15 % of ingested).",
  },
  paybackMonths: {
    env: 'PAYBACK_MONTHS',
    flag: 'payback-months',
    kind: 'number',
    default: 12,
    example: '12',
    description: 'A rebuild must pay for its re-ingestion within this many months of storage saved.',
  },
} as const satisfies Record<string, SettingSpec>;

type SettingName = keyof typeof SETTINGS;
/** CLI flags and Lambda event fields, by setting name. */
type Overrides = Partial<Record<SettingName, string | readonly string[] | boolean | number>>;

const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
const spec = (name: SettingName): SettingSpec => SETTINGS[name];

/** Greedy word wrap at spaces (a word longer than the width is cut). */
const wrap = (text: string, width: number, indent: string): string =>
  text.replace(new RegExp(`(.{1,${width - indent.length}})(?: +|$)`, 'g'), `${indent}$1\n`).trimEnd();

/**
 * The settings as `--help` text: flag, variable, default and description, wrapped for a 100-column terminal.
 *
 * @example
 * process.stdout.write(`Settings (flag, then environment variable):\n${describeSettings()}\n`);
 */
function describeSettings(): string {
  return SETTING_NAMES.map((name) => {
    const s = spec(name);
    const usage = s.kind === 'boolean' ? `--${s.flag}` : `--${s.flag} <${s.kind === 'list' ? 'value…' : 'value'}>`;
    const variable = s.fallbackEnv === undefined ? s.env : `${s.env} or ${s.fallbackEnv}`;
    const empty = s.default === undefined || (Array.isArray(s.default) && s.default.length === 0);
    const dflt = s.required === true ? 'required' : empty ? 'optional' : `default ${String(s.default)}`;
    const choices = s.choices === undefined ? '' : ` One of: ${s.choices.join(', ')}.`;
    return `  ${usage.padEnd(36)} ${variable} (${dflt})\n${wrap(`${s.description}${choices}`, 96, '      ')}`;
  }).join('\n');
}

export { LOG_LEVELS, SETTINGS, SETTING_NAMES, STRATEGIES, describeSettings, spec };
export type { Overrides, SettingName, SettingSpec };
