/**
 * parseConfig, decision by decision: every refusal word for word (the setting, the rule, the value, the
 * fix), both sides of every boundary, every default, and every variable and flag name. The rules and
 * fixes are written out here, not derived from src/settings.ts, so that a changed word fails a test.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import type { Overrides, SettingName } from '../../src/settings.js';
import type { Config } from '../../src/types.js';

const BASE = { DAYS: '30', BUCKET: 'my-archive', LOG_GROUP_PREFIXES: '/aws/lambda/' } as const;
type Env = Record<string, string | undefined>;

/** The ConfigError parseConfig throws (fails the test when it does not throw one). */
function configError(env: Env, overrides?: Overrides): ConfigError {
  try {
    parseConfig(env, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** The fix that ends each setting's messages, as a user reads it. */
const FIX: Record<string, string> = {
  DAYS: 'Set DAYS=30 (or --days 30) to archive and trim events older than 30 days.',
  BUCKET: 'Set BUCKET=my-archive (or --bucket my-archive).',
  BUCKET_PREFIX: 'Set BUCKET_PREFIX=cwl-archive (or --bucket-prefix cwl-archive).',
  LOG_GROUP_NAMES: 'Set LOG_GROUP_NAMES=/aws/lambda/orders (or --log-group-name /aws/lambda/orders).',
  LOG_GROUP_PREFIXES: 'Set LOG_GROUP_PREFIXES=/aws/lambda/ (or --log-group-prefix /aws/lambda/).',
  LOG_GROUP_TAG: 'Set LOG_GROUP_TAG=AutoExport=True (or --tag AutoExport=True).',
  EXCLUDE_LOG_GROUP_PREFIXES:
    'Set EXCLUDE_LOG_GROUP_PREFIXES=/aws/lambda/prod- (or --exclude-prefix /aws/lambda/prod-).',
  DRY_RUN: 'Set DRY_RUN=true or DRY_RUN=false (or pass --dry-run).',
  FORCE_REBUILD: 'Set FORCE_REBUILD=true or FORCE_REBUILD=false (or pass --force-rebuild).',
  ALLOW_FILTERED_GROUPS:
    'Set ALLOW_FILTERED_GROUPS=true or ALLOW_FILTERED_GROUPS=false (or pass --allow-filtered-groups).',
  UNMASK: 'Set UNMASK=true or UNMASK=false (or pass --unmask).',
  DELETE_EMPTY_GROUPS: 'Set DELETE_EMPTY_GROUPS=true or DELETE_EMPTY_GROUPS=false (or pass --delete-empty-groups).',
  LOG_LEVEL: 'Set LOG_LEVEL=info (or --log-level info).',
  AWS_REGION: 'Set AWS_REGION=us-east-1 (or --region us-east-1).',
  AWS_ENDPOINT_URL: 'Set AWS_ENDPOINT_URL=http://127.0.0.1:4566 (or --endpoint-url http://127.0.0.1:4566).',
  STRATEGY: 'Set STRATEGY=rebuild (or --strategy rebuild).',
  QUIET_MINUTES:
    'Set QUIET_MINUTES=180 (or --quiet-minutes 180): stream metadata (lastIngestionTime) lags by up to an hour, ' +
    'so a shorter wait could rebuild a stream that is still being written.',
  QUOTA_SHARE: 'Set QUOTA_SHARE=0.5 (or --quota-share 0.5).',
  PRICE_INGESTION_PER_GB: 'Set PRICE_INGESTION_PER_GB=0.5 (or --price-ingestion-per-gb 0.5).',
  PRICE_STORAGE_PER_GB_MONTH: 'Set PRICE_STORAGE_PER_GB_MONTH=0.03 (or --price-storage-per-gb-month 0.03).',
  PRICE_ARCHIVE_PER_GB_MONTH: 'Set PRICE_ARCHIVE_PER_GB_MONTH=0.023 (or --price-archive-per-gb-month 0.023).',
  PRICE_TIER_30_90_PER_GB_MONTH: 'Set PRICE_TIER_30_90_PER_GB_MONTH=0.018 (or --price-tier-30-90-per-gb-month 0.018).',
  PRICE_TIER_OVER_90_PER_GB_MONTH:
    'Set PRICE_TIER_OVER_90_PER_GB_MONTH=0.006 (or --price-tier-over-90-per-gb-month 0.006).',
  COMPRESSION_RATIO: 'Set COMPRESSION_RATIO=6.67 (or --compression-ratio 6.67).',
  PAYBACK_MONTHS: 'Set PAYBACK_MONTHS=12 (or --payback-months 12).',
};

const RULE = {
  days: 'must be a whole number of days ≥ 1',
  minutes: 'must be a whole number of minutes ≥ 60',
  share: 'must be a share greater than 0 and at most 1, e.g. 0.5 for half of each quota',
  price: 'must be a price in USD ≥ 0, e.g. 0.03',
  ratio: 'must be a ratio greater than 0 (uncompressed ÷ stored bytes)',
  months: 'must be a number of months greater than 0',
  bool: 'must be true or false (or 1/0, yes/no)',
  level: 'must be one of fatal, error, warn, info, debug, trace, silent',
  strategy: 'must be one of rebuild, retention',
  region: 'must be a Region code like us-east-1',
  url: 'must be an http:// or https:// URL',
  tag: 'must be one tag as Key=Value (one "=", non-empty key and value)',
  names: 'must list log group names of 1–512 letters, digits and . - _ / #',
  prefixes: 'must list log group name prefixes of 1–512 letters, digits and . - _ / #',
  bucket:
    'must be an S3 bucket name: 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
  bucketOnly: 'must be a bucket name only',
  lowercase: 'must be lowercase, as S3 bucket names are',
  twoDots: 'must not contain two dots in a row (S3 refuses it)',
  ip: 'must not be formatted as an IP address (S3 refuses it)',
  reserved:
    'must not use a prefix or suffix S3 reserves (xn--, sthree-, amzn-s3-demo-, -s3alias, --ol-s3, .mrap, --x-s3, ' +
    '--table-s3) (S3 refuses it)',
  root: 'must name a key prefix, not the bucket root',
  emptySegments: 'must not contain empty path segments ("//")',
} as const;

const bucketPathFix = (here: string): string =>
  `Give the bucket name only, e.g. my-archive; use BUCKET_PREFIX for the path (here: ${here}).`;
const HUGE = '9'.repeat(400); // matches the decimal pattern, but Number() makes it Infinity

// [variable, value, rule, fix (default: the setting's own)]
const REFUSED: [string, string, string, string?][] = [
  // DAYS: whole numbers ≥ 1 up to the largest safe integer, written as plain digits.
  ['DAYS', '0', RULE.days],
  ['DAYS', '-1', RULE.days],
  ['DAYS', '1.5', RULE.days],
  ['DAYS', '1.0', RULE.days],
  ['DAYS', '', RULE.days],
  ['DAYS', '   ', RULE.days],
  ['DAYS', '1e3', RULE.days],
  ['DAYS', '+5', RULE.days],
  ['DAYS', '0x10', RULE.days],
  ['DAYS', 'abc', RULE.days],
  ['DAYS', '30 days', RULE.days],
  ['DAYS', '9007199254740992', RULE.days],
  ['QUIET_MINUTES', '59', RULE.minutes],
  ['QUIET_MINUTES', '0', RULE.minutes],
  ['QUIET_MINUTES', '-60', RULE.minutes],
  ['QUIET_MINUTES', '60.5', RULE.minutes],
  ['QUIET_MINUTES', '1e3', RULE.minutes],
  ['QUIET_MINUTES', 'soon', RULE.minutes],
  // Decimals: digits with an optional fraction, or a bare fraction; no sign, exponent, hex or unit.
  ['QUOTA_SHARE', '0', RULE.share],
  ['QUOTA_SHARE', '0.0', RULE.share],
  ['QUOTA_SHARE', '1.0001', RULE.share],
  ['QUOTA_SHARE', '2', RULE.share],
  ['QUOTA_SHARE', '-0.5', RULE.share],
  ['QUOTA_SHARE', '5e-1', RULE.share],
  ['QUOTA_SHARE', '0x1', RULE.share],
  ['QUOTA_SHARE', 'Infinity', RULE.share],
  ['QUOTA_SHARE', '50%', RULE.share],
  ['QUOTA_SHARE', '.', RULE.share],
  ['QUOTA_SHARE', '0..5', RULE.share],
  ['PRICE_INGESTION_PER_GB', '-1', RULE.price],
  ['PRICE_INGESTION_PER_GB', '1e-2', RULE.price],
  ['PRICE_INGESTION_PER_GB', HUGE, RULE.price],
  ['PRICE_STORAGE_PER_GB_MONTH', '$0.03', RULE.price],
  ['PRICE_ARCHIVE_PER_GB_MONTH', 'abc', RULE.price],
  ['PRICE_TIER_30_90_PER_GB_MONTH', '-0.018', RULE.price],
  ['PRICE_TIER_OVER_90_PER_GB_MONTH', 'free', RULE.price],
  ['COMPRESSION_RATIO', '0', RULE.ratio],
  ['COMPRESSION_RATIO', '0.000', RULE.ratio],
  ['COMPRESSION_RATIO', '-2', RULE.ratio],
  ['COMPRESSION_RATIO', HUGE, RULE.ratio],
  ['PAYBACK_MONTHS', '0', RULE.months],
  ['PAYBACK_MONTHS', '-12', RULE.months],
  ['PAYBACK_MONTHS', 'never', RULE.months],
  ['DRY_RUN', 'maybe', RULE.bool],
  ['DRY_RUN', 'on', RULE.bool],
  ['DRY_RUN', '2', RULE.bool],
  ['DRY_RUN', 'y', RULE.bool],
  ['FORCE_REBUILD', 'off', RULE.bool],
  ['ALLOW_FILTERED_GROUPS', 'n', RULE.bool],
  ['UNMASK', 'enabled', RULE.bool],
  ['DELETE_EMPTY_GROUPS', 'yes please', RULE.bool],
  ['LOG_LEVEL', 'verbose', RULE.level],
  ['STRATEGY', 'delete', RULE.strategy],
  ['STRATEGY', 'rebuilds', RULE.strategy],
  ['AWS_REGION', 'us-east-1a', RULE.region],
  ['AWS_REGION', 'a-east-1', RULE.region],
  ['AWS_REGION', 'Us-east-1', RULE.region],
  ['AWS_REGION', 'us-east', RULE.region],
  ['AWS_REGION', 'useast1', RULE.region],
  ['AWS_REGION', 'us_east_1', RULE.region],
  ['AWS_ENDPOINT_URL', 'ftp://example.com', RULE.url],
  ['AWS_ENDPOINT_URL', 'shttp://127.0.0.1', RULE.url],
  ['AWS_ENDPOINT_URL', 'httpx://127.0.0.1', RULE.url],
  ['AWS_ENDPOINT_URL', 'not a url', RULE.url],
  ['LOG_GROUP_TAG', 'AutoExport', RULE.tag],
  ['LOG_GROUP_TAG', 'a=b=c', RULE.tag],
  ['LOG_GROUP_TAG', '=True', RULE.tag],
  ['LOG_GROUP_TAG', 'AutoExport=', RULE.tag],
  ['LOG_GROUP_TAG', '=', RULE.tag],
  ['LOG_GROUP_NAMES', 'bad name', RULE.names],
  ['LOG_GROUP_NAMES', '!orders', RULE.names],
  ['LOG_GROUP_NAMES', 'orders!', RULE.names],
  ['LOG_GROUP_NAMES', 'x'.repeat(513), RULE.names],
  ['LOG_GROUP_PREFIXES', '/aws/*', RULE.prefixes],
  ['EXCLUDE_LOG_GROUP_PREFIXES', 'prod*', RULE.prefixes],
  // BUCKET: S3's naming rules, each with its own words.
  ['BUCKET', '', RULE.bucket],
  ['BUCKET', 'ab', RULE.bucket],
  ['BUCKET', 'a'.repeat(64), RULE.bucket],
  ['BUCKET', '-archive', RULE.bucket],
  ['BUCKET', 'archive-', RULE.bucket],
  ['BUCKET', '.archive', RULE.bucket],
  ['BUCKET', 'archive.', RULE.bucket],
  ['BUCKET', 'my_archive', RULE.bucket],
  ['BUCKET', 'MY..ARCHIVE', RULE.bucket], // lowercasing would not make it valid: no "set it lowercase" advice
  ['BUCKET', 'xarn:aws:s3:::my-archive', RULE.bucket], // not an ARN: it does not start with arn:
  ['BUCKET', 'My-Archive', RULE.lowercase, 'Set BUCKET=my-archive if that is the bucket.'],
  ['BUCKET', 'MYARCHIVE', RULE.lowercase, 'Set BUCKET=myarchive if that is the bucket.'],
  ['BUCKET', 'my..archive', RULE.twoDots],
  ['BUCKET', '192.168.5.4', RULE.ip],
  ['BUCKET', '1.2.3.4', RULE.ip],
  ['BUCKET', 'xn--archive', RULE.reserved],
  ['BUCKET', 'sthree-archive', RULE.reserved],
  ['BUCKET', 'amzn-s3-demo-archive', RULE.reserved],
  ['BUCKET', 'archive-s3alias', RULE.reserved],
  ['BUCKET', 'archive--ol-s3', RULE.reserved],
  ['BUCKET', 'archive.mrap', RULE.reserved],
  ['BUCKET', 'archive--x-s3', RULE.reserved],
  ['BUCKET', 'archive--table-s3', RULE.reserved],
  ['BUCKET', 's3://my-archive/logs/', RULE.bucketOnly, bucketPathFix('BUCKET=my-archive BUCKET_PREFIX=logs')],
  ['BUCKET', 'S3://my-archive/a/b//', RULE.bucketOnly, bucketPathFix('BUCKET=my-archive BUCKET_PREFIX=a/b')],
  ['BUCKET', 's3://my-archive', RULE.bucketOnly, bucketPathFix('BUCKET=my-archive')],
  ['BUCKET', 's3://other-bucket/', RULE.bucketOnly, bucketPathFix('BUCKET=other-bucket')],
  ['BUCKET', 'arn:aws:s3:::other-bucket', RULE.bucketOnly, bucketPathFix('BUCKET=other-bucket')],
  ['BUCKET', 'arn:aws-cn:s3:::logs-1/a/b/', RULE.bucketOnly, bucketPathFix('BUCKET=logs-1 BUCKET_PREFIX=a/b')],
  ['BUCKET', 'other-bucket/logs', RULE.bucketOnly, bucketPathFix('BUCKET=other-bucket BUCKET_PREFIX=logs')],
  ['BUCKET', '/logs', RULE.bucketOnly, bucketPathFix('BUCKET=my-archive BUCKET_PREFIX=logs')],
  // BUCKET_PREFIX: slashes at both ends are dropped; what is left must be a clean key prefix.
  ['BUCKET_PREFIX', '/', RULE.root],
  ['BUCKET_PREFIX', '///', RULE.root],
  ['BUCKET_PREFIX', 'a//b', RULE.emptySegments],
  ['BUCKET_PREFIX', '.', 'must not contain "." segments'],
  ['BUCKET_PREFIX', 'a/./b', 'must not contain "." segments'],
  ['BUCKET_PREFIX', '..', 'must not contain ".." segments'],
  ['BUCKET_PREFIX', 'a/../b', 'must not contain ".." segments'],
];

describe('parseConfig refuses each bad value, naming the setting, the rule, the value and the fix', () => {
  it.each(REFUSED)('%s=%j', (variable, value, rule, fix = FIX[variable]) => {
    // Act
    const error = configError({ ...BASE, [variable]: value });

    // Assess
    expect(error.setting).toBe(variable);
    expect(error.message).toBe(`${variable} ${rule}, got ${JSON.stringify(value.trim())}. ${fix}`);
  });

  it('names the variable read: AWS_DEFAULT_REGION when it stood in for AWS_REGION', () => {
    const error = configError({ ...BASE, AWS_DEFAULT_REGION: 'mars' });
    expect(error.setting).toBe('AWS_REGION');
    expect(error.message).toBe(`AWS_DEFAULT_REGION ${RULE.region}, got "mars". ${FIX.AWS_REGION}`);
  });

  it('names the flag and its variable when the value came from a flag (the setting stays the variable)', () => {
    const error = configError(BASE, { quotaShare: '0' });
    expect(error.setting).toBe('QUOTA_SHARE');
    expect(error.message).toBe(`--quota-share (QUOTA_SHARE) ${RULE.share}, got "0". ${FIX.QUOTA_SHARE}`);
  });

  it('says a required setting is missing, whether unset or set to undefined', () => {
    expect(configError({ BUCKET: 'my-archive', LOG_GROUP_PREFIXES: '/' }).message).toBe(
      `DAYS is required. ${FIX.DAYS}`,
    );
    const error = configError({ DAYS: '30', BUCKET: undefined, LOG_GROUP_PREFIXES: '/' });
    expect(error.setting).toBe('BUCKET');
    expect(error.message).toBe(`BUCKET is required. ${FIX.BUCKET}`);
  });

  it('refuses an empty required flag as a bad value, not as a missing one', () => {
    expect(configError(BASE, { days: '' }).message).toBe(`--days (DAYS) ${RULE.days}, got "". ${FIX.DAYS}`);
  });

  it('joins a repeated flag of a single-valued setting, and shows what it joined', () => {
    expect(parseConfig(BASE, { days: ['7'] }).days).toBe(7);
    const error = configError(BASE, { logGroupTag: ['Team=ops', 'Env=prod'] });
    expect(error.message).toBe(`--tag (LOG_GROUP_TAG) ${RULE.tag}, got "Team=ops,Env=prod". ${FIX.LOG_GROUP_TAG}`);
  });

  it('points at each bad item of a list on its own line, and names the setting once', () => {
    const error = configError({ ...BASE, LOG_GROUP_NAMES: '/ok,bad!,/fine, worse!' });
    expect(error.setting).toBe('LOG_GROUP_NAMES');
    expect(error.message).toBe(
      `LOG_GROUP_NAMES ${RULE.names}, got "bad!". ${FIX.LOG_GROUP_NAMES}\n` +
        `LOG_GROUP_NAMES ${RULE.names}, got "worse!". ${FIX.LOG_GROUP_NAMES}`,
    );
    expect(configError(BASE, { excludeLogGroupPrefixes: ['/ok', 'no way'] }).message).toBe(
      `--exclude-prefix (EXCLUDE_LOG_GROUP_PREFIXES) ${RULE.prefixes}, got "no way". ${FIX.EXCLUDE_LOG_GROUP_PREFIXES}`,
    );
  });

  it('lists every problem in one error, in order: unknown flags, near misses, bad values, no selection', () => {
    // Act
    const error = configError({ DAYS: '0', BUCKET: 'my-archive', DRYRUN: 'true', QUIET_MINUTES: '5' }, {
      dayz: '3',
    } as unknown as Overrides);

    // Assess
    expect(error.setting).toBe('dayz,DRYRUN,DAYS,QUIET_MINUTES,LOG_GROUP_PREFIXES');
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(/^unknown setting "dayz"; /),
      'DRYRUN is not a cwl-trim setting; did you mean DRY_RUN? ' +
        'Rename DRYRUN=true to DRY_RUN=true (or use --dry-run), or unset DRYRUN.',
      `DAYS ${RULE.days}, got "0". ${FIX.DAYS}`,
      `QUIET_MINUTES ${RULE.minutes}, got "5". ${FIX.QUIET_MINUTES}`,
      expect.stringMatching(/^No log groups selected: /),
    ]);
  });

  it('refuses an unknown flag or event field, listing every known setting', () => {
    // Act
    const error = configError(BASE, { dayz: '3', buckets: 'x' } as unknown as Overrides);

    // Assess
    const known =
      'days, bucket, bucketPrefix, logGroupNames, logGroupPrefixes, logGroupTag, excludeLogGroupPrefixes, dryRun, ' +
      'logLevel, region, endpointUrl, strategy, quietMinutes, forceRebuild, allowFilteredGroups, unmask, ' +
      'deleteEmptyGroups, quotaShare, priceIngestionPerGb, priceStoragePerGbMonth, priceArchivePerGbMonth, ' +
      'priceTier30To90PerGbMonth, priceTierOver90PerGbMonth, compressionRatio, paybackMonths';
    expect(error.setting).toBe('dayz,buckets');
    expect(error.message).toBe(
      `unknown setting "dayz"; known settings: ${known}.\nunknown setting "buckets"; known settings: ${known}.`,
    );
  });
});

describe('parseConfig refuses to select no log group', () => {
  const NONE =
    'No log groups selected: set LOG_GROUP_NAMES, LOG_GROUP_PREFIXES or LOG_GROUP_TAG (or --log-group-name, ' +
    '--log-group-prefix, --tag). To select every log group on purpose, set LOG_GROUP_PREFIXES=/ ' +
    '(or --log-group-prefix /).';

  it.each([
    ['nothing', {}],
    ['blank lists', { LOG_GROUP_NAMES: ' , ', LOG_GROUP_PREFIXES: ',' }],
    ['an exclusion only', { EXCLUDE_LOG_GROUP_PREFIXES: '/aws/' }],
    ['an empty tag', { LOG_GROUP_TAG: '  ' }],
  ])('given %s, says how to select, and how to select all on purpose', (_, selection) => {
    const error = configError({ DAYS: '30', BUCKET: 'my-archive', ...selection });
    expect(error.setting).toBe('LOG_GROUP_PREFIXES');
    expect(error.message).toBe(NONE);
  });

  it.each([
    ['a name', {}, { logGroupNames: ['/aws/lambda/orders'] }, { names: ['/aws/lambda/orders'], prefixes: [] }],
    ['a prefix', { LOG_GROUP_PREFIXES: '/' }, {}, { names: [], prefixes: ['/'] }],
    ['a tag', {}, { logGroupTag: 'Team=ops' }, { tag: { key: 'Team', value: 'ops' } }],
  ])('accepts a selection by %s alone', (_, env, overrides, selection) => {
    expect(parseConfig({ DAYS: '30', BUCKET: 'my-archive', ...env }, overrides).selection).toMatchObject(selection);
  });
});

describe('parseConfig accepts each boundary value', () => {
  // [variable, value, where it lands in the config, the value there]
  const ACCEPTED: [string, string, (c: Config) => unknown, unknown][] = [
    ['DAYS', '1', (c) => c.days, 1],
    ['DAYS', '12', (c) => c.days, 12],
    ['DAYS', ' 007 ', (c) => c.days, 7],
    ['DAYS', '9007199254740991', (c) => c.days, 9_007_199_254_740_991],
    ['QUIET_MINUTES', '60', (c) => c.quietMinutes, 60],
    ['QUIET_MINUTES', '61', (c) => c.quietMinutes, 61],
    ['QUOTA_SHARE', '1', (c) => c.quotaShare, 1],
    ['QUOTA_SHARE', '1.', (c) => c.quotaShare, 1],
    ['QUOTA_SHARE', '1.000', (c) => c.quotaShare, 1],
    ['QUOTA_SHARE', '0.0001', (c) => c.quotaShare, 0.0001],
    ['QUOTA_SHARE', '.25', (c) => c.quotaShare, 0.25],
    ['PRICE_INGESTION_PER_GB', '0', (c) => c.prices.ingestionPerGb, 0],
    ['PRICE_INGESTION_PER_GB', '12', (c) => c.prices.ingestionPerGb, 12],
    ['PRICE_INGESTION_PER_GB', '0.76', (c) => c.prices.ingestionPerGb, 0.76],
    ['PRICE_TIER_30_90_PER_GB_MONTH', '0', (c) => c.prices.tier30To90PerGbMonth, 0],
    ['PRICE_TIER_OVER_90_PER_GB_MONTH', '0', (c) => c.prices.tierOver90PerGbMonth, 0],
    ['COMPRESSION_RATIO', '0.01', (c) => c.prices.compressionRatio, 0.01],
    ['PAYBACK_MONTHS', '0.5', (c) => c.prices.paybackHorizonMonths, 0.5],
    ['BUCKET', 'abc', (c) => c.bucket, 'abc'],
    ['BUCKET', 'a'.repeat(63), (c) => c.bucket, 'a'.repeat(63)],
    ['BUCKET', '1ab', (c) => c.bucket, '1ab'],
    ['BUCKET', 'ab1', (c) => c.bucket, 'ab1'],
    ['BUCKET', 'a.b-c', (c) => c.bucket, 'a.b-c'],
    ['BUCKET', '1.2.3', (c) => c.bucket, '1.2.3'],
    ['BUCKET', 'a1.2.3.4', (c) => c.bucket, 'a1.2.3.4'],
    ['BUCKET', '1.2.3.4a', (c) => c.bucket, '1.2.3.4a'],
    ['BUCKET', '1234.1.1.1', (c) => c.bucket, '1234.1.1.1'],
    ['BUCKET', 'my-xn--archive', (c) => c.bucket, 'my-xn--archive'],
    ['BUCKET', 'my-sthree-archive', (c) => c.bucket, 'my-sthree-archive'],
    ['BUCKET', 'archive-s3alias-1', (c) => c.bucket, 'archive-s3alias-1'],
    ['BUCKET', 'archive.mrap.eu', (c) => c.bucket, 'archive.mrap.eu'],
    ['BUCKET_PREFIX', '//archive/cwl//', (c) => c.bucketPrefix, 'archive/cwl'],
    ['BUCKET_PREFIX', 'a/b/c', (c) => c.bucketPrefix, 'a/b/c'],
    ['BUCKET_PREFIX', '.hidden/..x/...', (c) => c.bucketPrefix, '.hidden/..x/...'],
    ['LOG_GROUP_NAMES', 'x'.repeat(512), (c) => c.selection.names, ['x'.repeat(512)]],
    ['LOG_GROUP_NAMES', 'a', (c) => c.selection.names, ['a']],
    ['LOG_GROUP_NAMES', '/aws/lambda/A-z_0.9#x', (c) => c.selection.names, ['/aws/lambda/A-z_0.9#x']],
    ['LOG_GROUP_TAG', ' Team = ops ', (c) => c.selection.tag, { key: 'Team', value: 'ops' }],
    ['AWS_REGION', 'us-east-1', (c) => c.region, 'us-east-1'],
    ['AWS_REGION', 'us-gov-west-1', (c) => c.region, 'us-gov-west-1'],
    ['AWS_REGION', 'ap-southeast-12', (c) => c.region, 'ap-southeast-12'],
    ['AWS_REGION', 'abc-x1-2', (c) => c.region, 'abc-x1-2'],
    ['AWS_ENDPOINT_URL', 'http://127.0.0.1:4566', (c) => c.endpointUrl, 'http://127.0.0.1:4566'],
    ['AWS_ENDPOINT_URL', 'https://logs.example.com', (c) => c.endpointUrl, 'https://logs.example.com'],
    ['LOG_LEVEL', 'TRACE', (c) => c.logLevel, 'trace'],
    ['LOG_LEVEL', 'silent', (c) => c.logLevel, 'silent'],
    ['STRATEGY', 'RETENTION', (c) => c.strategy, 'retention'],
  ];

  it.each(ACCEPTED)('%s=%j', (variable, value, read, expected) => {
    expect(read(parseConfig({ ...BASE, [variable]: value }))).toEqual(expected);
  });

  const BOOLEANS = ['DRY_RUN', 'FORCE_REBUILD', 'ALLOW_FILTERED_GROUPS', 'UNMASK', 'DELETE_EMPTY_GROUPS'] as const;
  const FIELD = {
    DRY_RUN: 'dryRun',
    FORCE_REBUILD: 'forceRebuild',
    ALLOW_FILTERED_GROUPS: 'allowFilteredGroups',
    UNMASK: 'unmask',
    DELETE_EMPTY_GROUPS: 'deleteEmptyGroups',
  } as const;
  const SPELLINGS: [string, boolean][] = [
    ['true', true],
    ['1', true],
    ['yes', true],
    ['TRUE', true],
    [' Yes ', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['FALSE', false],
    ['No', false],
  ];

  it.each(BOOLEANS)('%s takes true/false, 1/0 and yes/no in any case', (variable) => {
    for (const [spelling, meaning] of SPELLINGS) {
      expect(parseConfig({ ...BASE, [variable]: spelling })[FIELD[variable]]).toBe(meaning);
    }
  });
});

describe('parseConfig reads each setting from its variable and its flag, the flag winning', () => {
  // [setting, variable, flag, from the variable, from the flag, where it lands, parsed variable, parsed flag]
  const MAPPING: [SettingName, string, string, string, string, (c: Config) => unknown, unknown, unknown][] = [
    ['days', 'DAYS', 'days', '45', '46', (c) => c.days, 45, 46],
    ['bucket', 'BUCKET', 'bucket', 'env-bucket', 'flag-bucket', (c) => c.bucket, 'env-bucket', 'flag-bucket'],
    ['bucketPrefix', 'BUCKET_PREFIX', 'bucket-prefix', 'env/p', 'flag/p', (c) => c.bucketPrefix, 'env/p', 'flag/p'],
    ['logGroupNames', 'LOG_GROUP_NAMES', 'log-group-name', '/e', '/f', (c) => c.selection.names, ['/e'], ['/f']],
    [
      'logGroupPrefixes',
      'LOG_GROUP_PREFIXES',
      'log-group-prefix',
      '/e/',
      '/f/',
      (c) => c.selection.prefixes,
      ['/e/'],
      ['/f/'],
    ],
    ['logGroupTag', 'LOG_GROUP_TAG', 'tag', 'K=e', 'K=f', (c) => c.selection.tag?.value, 'e', 'f'],
    [
      'excludeLogGroupPrefixes',
      'EXCLUDE_LOG_GROUP_PREFIXES',
      'exclude-prefix',
      '/e/',
      '/f/',
      (c) => c.selection.excludePrefixes,
      ['/e/'],
      ['/f/'],
    ],
    ['dryRun', 'DRY_RUN', 'dry-run', 'true', 'false', (c) => c.dryRun, true, false],
    ['logLevel', 'LOG_LEVEL', 'log-level', 'warn', 'debug', (c) => c.logLevel, 'warn', 'debug'],
    ['region', 'AWS_REGION', 'region', 'eu-west-1', 'eu-west-2', (c) => c.region, 'eu-west-1', 'eu-west-2'],
    [
      'endpointUrl',
      'AWS_ENDPOINT_URL',
      'endpoint-url',
      'http://127.0.0.1:1',
      'http://127.0.0.1:2',
      (c) => c.endpointUrl,
      'http://127.0.0.1:1',
      'http://127.0.0.1:2',
    ],
    ['strategy', 'STRATEGY', 'strategy', 'retention', 'rebuild', (c) => c.strategy, 'retention', 'rebuild'],
    ['quietMinutes', 'QUIET_MINUTES', 'quiet-minutes', '90', '120', (c) => c.quietMinutes, 90, 120],
    ['forceRebuild', 'FORCE_REBUILD', 'force-rebuild', 'true', 'false', (c) => c.forceRebuild, true, false],
    [
      'allowFilteredGroups',
      'ALLOW_FILTERED_GROUPS',
      'allow-filtered-groups',
      'true',
      'false',
      (c) => c.allowFilteredGroups,
      true,
      false,
    ],
    ['unmask', 'UNMASK', 'unmask', 'true', 'false', (c) => c.unmask, true, false],
    [
      'deleteEmptyGroups',
      'DELETE_EMPTY_GROUPS',
      'delete-empty-groups',
      'true',
      'false',
      (c) => c.deleteEmptyGroups,
      true,
      false,
    ],
    ['quotaShare', 'QUOTA_SHARE', 'quota-share', '0.2', '0.3', (c) => c.quotaShare, 0.2, 0.3],
    [
      'priceIngestionPerGb',
      'PRICE_INGESTION_PER_GB',
      'price-ingestion-per-gb',
      '1.1',
      '1.2',
      (c) => c.prices.ingestionPerGb,
      1.1,
      1.2,
    ],
    [
      'priceStoragePerGbMonth',
      'PRICE_STORAGE_PER_GB_MONTH',
      'price-storage-per-gb-month',
      '2.1',
      '2.2',
      (c) => c.prices.storagePerGbMonth,
      2.1,
      2.2,
    ],
    [
      'priceArchivePerGbMonth',
      'PRICE_ARCHIVE_PER_GB_MONTH',
      'price-archive-per-gb-month',
      '3.1',
      '3.2',
      (c) => c.prices.archivePerGbMonth,
      3.1,
      3.2,
    ],
    [
      'priceTier30To90PerGbMonth',
      'PRICE_TIER_30_90_PER_GB_MONTH',
      'price-tier-30-90-per-gb-month',
      '4.1',
      '4.2',
      (c) => c.prices.tier30To90PerGbMonth,
      4.1,
      4.2,
    ],
    [
      'priceTierOver90PerGbMonth',
      'PRICE_TIER_OVER_90_PER_GB_MONTH',
      'price-tier-over-90-per-gb-month',
      '5.1',
      '5.2',
      (c) => c.prices.tierOver90PerGbMonth,
      5.1,
      5.2,
    ],
    [
      'compressionRatio',
      'COMPRESSION_RATIO',
      'compression-ratio',
      '6.1',
      '6.2',
      (c) => c.prices.compressionRatio,
      6.1,
      6.2,
    ],
    ['paybackMonths', 'PAYBACK_MONTHS', 'payback-months', '7.1', '7.2', (c) => c.prices.paybackHorizonMonths, 7.1, 7.2],
  ];

  it.each(MAPPING)('%s: %s, --%s', (name, variable, flag, fromEnv, fromFlag, read, envParsed, flagParsed) => {
    // From the variable, then the flag over the variable.
    expect(read(parseConfig({ ...BASE, [variable]: fromEnv }))).toEqual(envParsed);
    expect(read(parseConfig({ ...BASE, [variable]: fromEnv }, { [name]: fromFlag }))).toEqual(flagParsed);
    // A bad flag value is named by its flag and its variable.
    const bad = name === 'bucketPrefix' ? 'a//b' : 'x y!'; // a key prefix may hold spaces and "!"
    const error = configError({ ...BASE, [variable]: fromEnv }, { [name]: bad });
    expect(error.setting).toBe(variable);
    expect(error.message.startsWith(`--${flag} (${variable}) must `)).toBe(true);
    expect(error.message.endsWith(`, got "${bad}". ${FIX[variable]}`)).toBe(true);
  });

  it('maps every variable to its own field of the config', () => {
    // Act: every setting set, each to a value no other setting has.
    const config = parseConfig({
      DAYS: '3',
      BUCKET: 'b-4',
      BUCKET_PREFIX: 'p5',
      LOG_GROUP_NAMES: '/n6',
      LOG_GROUP_PREFIXES: '/p7',
      LOG_GROUP_TAG: 'K8=V9',
      EXCLUDE_LOG_GROUP_PREFIXES: '/x10',
      DRY_RUN: 'true',
      LOG_LEVEL: 'error',
      AWS_REGION: 'sa-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:11',
      STRATEGY: 'retention',
      QUIET_MINUTES: '612',
      FORCE_REBUILD: 'yes',
      ALLOW_FILTERED_GROUPS: '1',
      UNMASK: 'true',
      DELETE_EMPTY_GROUPS: 'yes',
      QUOTA_SHARE: '0.13',
      PRICE_INGESTION_PER_GB: '14',
      PRICE_STORAGE_PER_GB_MONTH: '15',
      PRICE_ARCHIVE_PER_GB_MONTH: '16',
      PRICE_TIER_30_90_PER_GB_MONTH: '17',
      PRICE_TIER_OVER_90_PER_GB_MONTH: '18',
      COMPRESSION_RATIO: '19',
      PAYBACK_MONTHS: '20',
    });

    // Assess
    expect(config).toEqual({
      days: 3,
      bucket: 'b-4',
      bucketPrefix: 'p5',
      selection: { names: ['/n6'], prefixes: ['/p7'], excludePrefixes: ['/x10'], tag: { key: 'K8', value: 'V9' } },
      dryRun: true,
      logLevel: 'error',
      region: 'sa-east-1',
      endpointUrl: 'http://127.0.0.1:11',
      strategy: 'retention',
      quietMinutes: 612,
      forceRebuild: true,
      allowFilteredGroups: true,
      unmask: true,
      deleteEmptyGroups: true,
      quotaShare: 0.13,
      prices: {
        ingestionPerGb: 14,
        storagePerGbMonth: 15,
        archivePerGbMonth: 16,
        tier30To90PerGbMonth: 17,
        tierOver90PerGbMonth: 18,
        compressionRatio: 19,
        compressionRatioSource: 'setting',
        paybackHorizonMonths: 20,
      },
    });
  });

  it('takes every optional setting left empty or blank as its default', () => {
    const blank = {
      BUCKET_PREFIX: '',
      LOG_GROUP_NAMES: ' ',
      LOG_GROUP_TAG: '',
      EXCLUDE_LOG_GROUP_PREFIXES: ',',
      DRY_RUN: '',
      LOG_LEVEL: ' ',
      AWS_REGION: '',
      AWS_ENDPOINT_URL: ' ',
      STRATEGY: '',
      QUIET_MINUTES: '',
      FORCE_REBUILD: ' ',
      ALLOW_FILTERED_GROUPS: '',
      UNMASK: '',
      DELETE_EMPTY_GROUPS: '',
      QUOTA_SHARE: ' ',
      PRICE_INGESTION_PER_GB: '',
      PRICE_STORAGE_PER_GB_MONTH: '',
      PRICE_ARCHIVE_PER_GB_MONTH: '',
      PRICE_TIER_30_90_PER_GB_MONTH: '',
      PRICE_TIER_OVER_90_PER_GB_MONTH: '',
      COMPRESSION_RATIO: '',
      PAYBACK_MONTHS: '',
    };
    const config = parseConfig({ ...BASE, ...blank });
    expect(config).toEqual(parseConfig(BASE));
    expect(config.prices.compressionRatioSource).toBe('default');
    expect(config).not.toHaveProperty('region');
    expect(config).not.toHaveProperty('endpointUrl');
    expect(config.selection).not.toHaveProperty('tag');
    expect(parseConfig(BASE, { bucketPrefix: '', quietMinutes: ' ' }).bucketPrefix).toBe('cwl-archive');
  });

  it('calls a compression ratio given equal to the default a setting, not the default', () => {
    expect(parseConfig({ ...BASE, COMPRESSION_RATIO: '6.67' }).prices).toMatchObject({
      compressionRatio: 6.67,
      compressionRatioSource: 'setting',
    });
    expect(parseConfig(BASE, { compressionRatio: 7 }).prices.compressionRatioSource).toBe('setting');
  });

  it('reads AWS_DEFAULT_REGION only when AWS_REGION is unset', () => {
    expect(parseConfig({ ...BASE, AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(parseConfig({ ...BASE, AWS_DEFAULT_REGION: 'ap-south-1', AWS_REGION: 'us-west-2' }).region).toBe(
      'us-west-2',
    );
    expect(parseConfig({ ...BASE, AWS_DEFAULT_REGION: 'bad', AWS_REGION: 'us-west-2' }).region).toBe('us-west-2');
    expect(parseConfig({ ...BASE, AWS_REGION: undefined, AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
  });

  it('splits a list given as one string (a Lambda event) at commas, trims and drops repeats', () => {
    const config = parseConfig(BASE, { logGroupPrefixes: ' /ecs/ , /rds/,/ecs/', logGroupNames: ['/a,/b', ' /a '] });
    expect(config.selection.prefixes).toEqual(['/ecs/', '/rds/']);
    expect(config.selection.names).toEqual(['/a', '/b']);
  });

  it('treats an override given as undefined or null as not given', () => {
    const event = { days: undefined, bucket: null } as unknown as Overrides;
    expect(parseConfig(BASE, event)).toMatchObject({ days: 30, bucket: 'my-archive' });
  });

  it('returns a deeply frozen config', () => {
    const config = parseConfig({
      ...BASE,
      LOG_GROUP_TAG: 'K=V',
      LOG_GROUP_NAMES: '/a',
      EXCLUDE_LOG_GROUP_PREFIXES: '/x',
    });
    for (const part of [
      config,
      config.selection,
      config.selection.names,
      config.selection.prefixes,
      config.selection.excludePrefixes,
      config.selection.tag,
      config.prices,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
  });
});

describe('parseConfig refuses our variables misspelt, when the setting they meant is not given', () => {
  // [the variable set, the setting it was meant for, its flag]
  it.each([
    ['S3_PREFIX', 'BUCKET_PREFIX', 'bucket-prefix'],
    ['LOG_GROUP_NAME', 'LOG_GROUP_NAMES', 'log-group-name'],
    ['LOG_GROUP_TAGS', 'LOG_GROUP_TAG', 'tag'],
    ['EXCLUDE_LOG_GROUP_PREFIX', 'EXCLUDE_LOG_GROUP_PREFIXES', 'exclude-prefix'],
    ['EXCLUDE_PREFIXES', 'EXCLUDE_LOG_GROUP_PREFIXES', 'exclude-prefix'],
    ['DRYRUN', 'DRY_RUN', 'dry-run'],
    ['dry_run', 'DRY_RUN', 'dry-run'],
    ['QUIET_MINUTE', 'QUIET_MINUTES', 'quiet-minutes'],
    ['Quiet_Minutes', 'QUIET_MINUTES', 'quiet-minutes'],
    ['log_level', 'LOG_LEVEL', 'log-level'],
    ['aws_endpoint_url', 'AWS_ENDPOINT_URL', 'endpoint-url'],
  ])('%s: names %s and how to fix it', (wrong, right, flag) => {
    const error = configError({ ...BASE, [wrong]: 'v1' });
    expect(error.setting).toBe(wrong);
    expect(error.message).toBe(
      `${wrong} is not a cwl-trim setting; did you mean ${right}? ` +
        `Rename ${wrong}=v1 to ${right}=v1 (or use --${flag}), or unset ${wrong}.`,
    );
  });

  it.each([
    ['DAY', 'DAYS', 'days'],
    ['RETENTION_DAYS', 'DAYS', 'days'],
    ['Days', 'DAYS', 'days'],
    ['BUCKET_NAME', 'BUCKET', 'bucket'],
    ['S3_BUCKET', 'BUCKET', 'bucket'],
  ])('%s, for a required setting: names %s as well as the missing value', (wrong, right, flag) => {
    const env: Env = { ...BASE, [wrong]: 'v1' };
    delete env[right];
    const error = configError(env);
    expect(error.setting).toBe(`${wrong},${right}`);
    expect(error.message).toBe(
      `${wrong} is not a cwl-trim setting; did you mean ${right}? ` +
        `Rename ${wrong}=v1 to ${right}=v1 (or use --${flag}), or unset ${wrong}.\n` +
        `${right} is required. ${FIX[right]}`,
    );
  });

  it('ignores a look-alike that is set to undefined, or set alongside the real variable or its flag', () => {
    expect(configError({ BUCKET: 'my-archive', LOG_GROUP_PREFIXES: '/', DAY: undefined }).setting).toBe('DAYS');
    expect(parseConfig({ ...BASE, dryrun: 'true', DRY_RUN: 'false' }).dryRun).toBe(false);
    expect(parseConfig({ ...BASE, DRYRUN: 'true' }, { dryRun: true }).dryRun).toBe(true);
    expect(parseConfig({ ...BASE, S3_PREFIX: 'other-tool' }, { bucketPrefix: 'mine' }).bucketPrefix).toBe('mine');
  });
});
