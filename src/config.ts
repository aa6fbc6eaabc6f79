/**
 * Settings parsing: one zod schema over the table of src/settings.ts, and {@link parseConfig}, its only
 * reader. Precedence: override (CLI flag or Lambda event) > environment > default.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { LOG_LEVELS, SETTINGS, SETTING_NAMES, STRATEGIES, spec, type Overrides, type SettingName } from './settings.js';
import type { Config } from './types.js';

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
/** S3's rules beyond the character set (S3 User Guide, "General purpose bucket naming rules"). */
const BUCKET_RULES: readonly (readonly [RegExp, string])[] = [
  [/\.\./, 'must not contain two dots in a row'],
  [/^\d{1,3}(\.\d{1,3}){3}$/, 'must not be formatted as an IP address'],
  [
    /^(?:xn--|sthree-|amzn-s3-demo-)|(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/,
    'must not use a prefix or ' +
      'suffix S3 reserves (xn--, sthree-, amzn-s3-demo-, -s3alias, --ol-s3, .mrap, --x-s3, --table-s3)',
  ],
];

/** A rule (it completes "SETTING …") and, where the setting's usual fix would not help, a better one. */
interface Problem {
  readonly rule: string;
  readonly fix?: string;
}

function bucketProblem(name: string): Problem | undefined {
  const path = /^(?:s3:\/\/|arn:[^:]*:s3:::)([^/]*)\/?(.*)$/i.exec(name);
  if (path !== null || name.includes('/')) {
    const [bucket, prefix = ''] = path === null ? name.split(/\/(.*)/) : path.slice(1);
    const here = `BUCKET=${bucket || 'my-archive'}${prefix ? ` BUCKET_PREFIX=${prefix.replace(/\/+$/, '')}` : ''}`;
    return {
      rule: 'must be a bucket name only',
      fix: `Give the bucket name only, e.g. my-archive; use BUCKET_PREFIX for the path (here: ${here}).`,
    };
  }
  if (/[A-Z]/.test(name) && bucketProblem(name.toLowerCase()) === undefined) {
    return {
      rule: 'must be lowercase, as S3 bucket names are',
      fix: `Set BUCKET=${name.toLowerCase()} if that is the bucket.`,
    };
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    return {
      rule:
        'must be an S3 bucket name: 3–63 lowercase letters, digits, dots or hyphens, ' +
        'starting and ending with a letter or digit',
    };
  }
  const broken = BUCKET_RULES.find(([rule]) => rule.test(name));
  return broken && { rule: `${broken[1]} (S3 refuses it)` };
}

function prefixProblem(prefix: string): Problem | undefined {
  if (prefix === '') return { rule: 'must name a key prefix, not the bucket root' };
  const bad = prefix.split('/').find((part) => part === '' || part === '.' || part === '..');
  if (bad === undefined) return undefined;
  return { rule: `must not contain ${bad === '' ? 'empty path segments ("//")' : `"${bad}" segments`}` };
}

/** Turns a {@link Problem} into a zod issue; zod goes on collecting, so every bad setting is reported. */
const withProblem =
  (check: (value: string) => Problem | undefined) =>
  (value: string, ctx: z.RefinementCtx): void => {
    const problem = check(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.rule, params: { fix: problem.fix } });
  };
const wholeNumber = (rule: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, rule)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min, rule);
const decimal = (rule: string, ok: (n: number) => boolean) =>
  z
    .string()
    .regex(DECIMAL, rule)
    .transform(Number)
    .refine((n) => Number.isFinite(n) && ok(n), rule);
const bool = (fallback: boolean) =>
  z
    .stringbool({
      truthy: ['true', '1', 'yes'],
      falsy: ['false', '0', 'no'],
      error: 'must be true or false (or 1/0, yes/no)',
    })
    .default(fallback);
const oneOf = <T extends readonly [string, ...string[]]>(choices: T) =>
  z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(choices, { error: `must be one of ${choices.join(', ')}` }));
const names = (what: string) =>
  z.array(z.string().regex(LOG_GROUP_NAME, `must list ${what} of 1–512 letters, digits and . - _ / #`)).default([]);
const price = (fallback: number) => decimal('must be a price in USD ≥ 0, e.g. 0.03', (n) => n >= 0).default(fallback);
const positive = (rule: string, fallback: number) => decimal(rule, (n) => n > 0).default(fallback);

/** The one schema. Inputs are trimmed strings (lists: arrays of items); outputs are typed and defaulted. */
const settingsSchema = z.object({
  days: wholeNumber('must be a whole number of days ≥ 1', 1),
  bucket: z.string().superRefine(withProblem(bucketProblem)),
  bucketPrefix: z
    .string()
    .transform((s) => s.replace(/^\/+|\/+$/g, ''))
    .superRefine(withProblem(prefixProblem))
    .default(SETTINGS.bucketPrefix.default),
  logGroupNames: names('log group names'),
  logGroupPrefixes: names('log group name prefixes'),
  logGroupTag: z
    .string()
    .regex(/^[^=]+=[^=]+$/, 'must be one tag as Key=Value (one "=", non-empty key and value)')
    .transform((s) => {
      const [key = '', value = ''] = s.split('=');
      return { key: key.trim(), value: value.trim() };
    })
    .optional(),
  excludeLogGroupPrefixes: names('log group name prefixes'),
  dryRun: bool(SETTINGS.dryRun.default),
  logLevel: oneOf(LOG_LEVELS).default(SETTINGS.logLevel.default),
  region: z
    .string()
    .regex(/^[a-z]{2,}(?:-[a-z0-9]+)*-\d+$/, 'must be a Region code like us-east-1')
    .optional(),
  endpointUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  strategy: oneOf(STRATEGIES).default(SETTINGS.strategy.default),
  quietMinutes: wholeNumber('must be a whole number of minutes ≥ 60', 60).default(SETTINGS.quietMinutes.default),
  forceRebuild: bool(SETTINGS.forceRebuild.default),
  allowFilteredGroups: bool(SETTINGS.allowFilteredGroups.default),
  unmask: bool(SETTINGS.unmask.default),
  deleteEmptyGroups: bool(SETTINGS.deleteEmptyGroups.default),
  quotaShare: decimal(
    'must be a share greater than 0 and at most 1, e.g. 0.5 for half of each quota',
    (n) => n > 0 && n <= 1,
  ).default(SETTINGS.quotaShare.default),
  priceIngestionPerGb: price(SETTINGS.priceIngestionPerGb.default),
  priceStoragePerGbMonth: price(SETTINGS.priceStoragePerGbMonth.default),
  priceArchivePerGbMonth: price(SETTINGS.priceArchivePerGbMonth.default),
  priceTier30To90PerGbMonth: price(SETTINGS.priceTier30To90PerGbMonth.default),
  priceTierOver90PerGbMonth: price(SETTINGS.priceTierOver90PerGbMonth.default),
  compressionRatio: positive(
    'must be a ratio greater than 0 (uncompressed ÷ stored bytes)',
    SETTINGS.compressionRatio.default,
  ),
  paybackMonths: positive('must be a number of months greater than 0', SETTINGS.paybackMonths.default),
});

/** A setting's value as given; `source` is how messages name it (`--days (DAYS)` when it came from a flag). */
interface RawSetting {
  readonly value: string | string[] | undefined;
  readonly source: string;
}

function readRaw(name: SettingName, env: Record<string, string | undefined>, overrides: Overrides): RawSetting {
  const s = spec(name);
  const envName =
    env[s.env] === undefined && s.fallbackEnv !== undefined && env[s.fallbackEnv] !== undefined ? s.fallbackEnv : s.env;
  const override = overrides[name] ?? undefined; // a Lambda event's null means "not given"
  const [given, source] = override !== undefined ? [override, `--${s.flag} (${s.env})`] : [env[envName], envName];
  if (given === undefined) return { value: undefined, source };
  if (s.kind === 'list') {
    const items = (Array.isArray(given) ? given : [given]).flatMap((item) => String(item).split(','));
    const kept = [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
    return { value: kept.length > 0 ? kept : undefined, source };
  }
  const text = (Array.isArray(given) ? given.join(',') : String(given)).trim();
  // An empty optional setting means "use the default": deploy templates often pass '' for "not set".
  return { value: text === '' && s.required !== true ? undefined : text, source };
}

function fixFor(name: SettingName): string {
  const s = spec(name);
  const how =
    s.kind === 'boolean'
      ? `Set ${s.env}=true or ${s.env}=false (or pass --${s.flag})`
      : `Set ${s.env}=${s.example} (or --${s.flag} ${s.example})`;
  return `${how}${s.why ?? ''}.`;
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<SettingName, RawSetting>): [string, string] {
  const [key, index] = issue.path;
  const name = key as SettingName;
  const { value, source } = raw[name];
  const shown = Array.isArray(value) ? (typeof index === 'number' ? value[index] : value.join(',')) : value;
  const fix =
    (issue.code === 'custom' ? (issue.params as { fix?: string } | undefined)?.fix : undefined) ?? fixFor(name);
  const what = shown === undefined ? 'is required' : `${issue.message}, got ${JSON.stringify(shown)}`;
  return [spec(name).env, `${source} ${what}. ${fix}`];
}

/**
 * Our variables in the wrong case, and listed near misses, when the setting they were meant for is not
 * given: ignoring them would silently change what is trimmed. (Set alongside the real one, they are
 * somebody else's variables, e.g. another tool's S3_BUCKET.)
 */
function nearMisses(env: Record<string, string | undefined>, overrides: Overrides): [string, string][] {
  const meant = new Map<string, SettingName>();
  for (const name of SETTING_NAMES)
    [spec(name).env, ...(spec(name).nearMisses ?? [])].forEach((v) => meant.set(v, name));
  return Object.entries(env).flatMap(([key, value]): [string, string][] => {
    const name = value === undefined ? undefined : meant.get(key.toUpperCase());
    if (name === undefined || key === spec(name).env) return [];
    if (env[spec(name).env] !== undefined || overrides[name] !== undefined) return [];
    const { env: right, flag } = spec(name);
    return [
      [
        key,
        `${key} is not a cwl-trim setting; did you mean ${right}? ` +
          `Rename ${key}=${value} to ${right}=${value} (or use --${flag}), or unset ${key}.`,
      ],
    ];
  });
}

/**
 * Validates every setting at once and returns the frozen {@link Config}; nothing else reads the environment.
 * Throws one {@link ConfigError} listing every bad value, a line each naming the setting, the value and the fix;
 * its `setting` is the bad variable's name (comma-separated when several are bad).
 *
 * @param env - usually `process.env`; variables that are not ours are ignored, near misses are errors.
 * @param overrides - CLI flags or Lambda event fields, by setting name; each wins over its variable.
 * @example
 * const config = parseConfig(process.env, { days: '30', logGroupPrefixes: ['/aws/lambda/'] });
 */
function parseConfig(env: Record<string, string | undefined>, overrides: Overrides = {}): Readonly<Config> {
  const problems: [string, string][] = Object.keys(overrides)
    .filter((key) => !(SETTING_NAMES as string[]).includes(key))
    .map((key) => [key, `unknown setting "${key}"; known settings: ${SETTING_NAMES.join(', ')}.`]);
  problems.push(...nearMisses(env, overrides));
  const raw = Object.fromEntries(SETTING_NAMES.map((n) => [n, readRaw(n, env, overrides)])) as Record<
    SettingName,
    RawSetting
  >;
  const result = settingsSchema.safeParse(Object.fromEntries(SETTING_NAMES.map((n) => [n, raw[n].value])));
  problems.push(...(result.error?.issues ?? []).map((issue) => describeIssue(issue, raw)));
  if ([raw.logGroupNames, raw.logGroupPrefixes, raw.logGroupTag].every((r) => r.value === undefined)) {
    problems.push([
      'LOG_GROUP_PREFIXES',
      'No log groups selected: set LOG_GROUP_NAMES, LOG_GROUP_PREFIXES or ' +
        'LOG_GROUP_TAG (or --log-group-name, --log-group-prefix, --tag). To select every log group on purpose, ' +
        'set LOG_GROUP_PREFIXES=/ (or --log-group-prefix /).',
    ]);
  }
  if (problems.length > 0 || !result.success) {
    const unique = (index: 0 | 1, separator: string): string =>
      [...new Set(problems.map((p) => p[index]))].join(separator);
    throw new ConfigError(unique(0, ','), unique(1, '\n'));
  }
  return deepFreeze(toConfig(result.data, raw.compressionRatio.value === undefined ? 'default' : 'setting'));
}

function toConfig(s: z.output<typeof settingsSchema>, compressionRatioSource: 'default' | 'setting'): Config {
  const {
    logGroupNames: names,
    logGroupPrefixes: prefixes,
    excludeLogGroupPrefixes: excludePrefixes,
    logGroupTag: tag,
    region,
    endpointUrl,
    priceIngestionPerGb,
    priceStoragePerGbMonth,
    priceArchivePerGbMonth,
    compressionRatio,
    priceTier30To90PerGbMonth,
    priceTierOver90PerGbMonth,
    paybackMonths,
    ...rest
  } = s;
  return {
    ...rest,
    selection: { names, prefixes, excludePrefixes, ...(tag && { tag }) },
    ...(region !== undefined && { region }),
    ...(endpointUrl !== undefined && { endpointUrl }),
    prices: {
      ingestionPerGb: priceIngestionPerGb,
      storagePerGbMonth: priceStoragePerGbMonth,
      archivePerGbMonth: priceArchivePerGbMonth,
      compressionRatio,
      compressionRatioSource,
      paybackHorizonMonths: paybackMonths,
      tier30To90PerGbMonth: priceTier30To90PerGbMonth,
      tierOver90PerGbMonth: priceTierOver90PerGbMonth,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

export { parseConfig };
