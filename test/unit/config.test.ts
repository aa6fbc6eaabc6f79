import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { SETTINGS, describeSettings, type Overrides } from '../../src/settings.js';
import { ConfigError } from '../../src/errors.js';

const BASE = { DAYS: '30', BUCKET: 'my-archive', LOG_GROUP_PREFIXES: '/aws/lambda/' } as const;

/** The ConfigError parseConfig throws (fails the test when it does not throw one). */
function configError(env: Record<string, string | undefined>, overrides?: Overrides): ConfigError {
  try {
    parseConfig(env, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig: valid settings', () => {
  it('applies every default', () => {
    // Act
    const config = parseConfig(BASE);

    // Assess
    expect(config).toEqual({
      days: 30,
      bucket: 'my-archive',
      bucketPrefix: 'cwl-archive',
      dryRun: false,
      logLevel: 'info',
      selection: { names: [], prefixes: ['/aws/lambda/'], excludePrefixes: [] },
      strategy: 'rebuild',
      quietMinutes: 180,
      forceRebuild: false,
      allowFilteredGroups: false,
      unmask: false,
      deleteEmptyGroups: false,
      quotaShare: 0.5,
      prices: {
        ingestionPerGb: 0.5,
        storagePerGbMonth: 0.03,
        archivePerGbMonth: 0.023,
        compressionRatio: 6.67,
        compressionRatioSource: 'default',
        paybackHorizonMonths: 12,
        tier30To90PerGbMonth: 0.018,
        tierOver90PerGbMonth: 0.006,
      },
    });
    expect(config).not.toHaveProperty('region');
    expect(config).not.toHaveProperty('endpointUrl');
  });

  it('returns a deeply frozen config', () => {
    const config = parseConfig(BASE);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.selection.prefixes)).toBe(true);
    expect(Object.isFrozen(config.prices)).toBe(true);
  });

  it('trims values and reads every setting from its variable', () => {
    const config = parseConfig({
      DAYS: ' 7 ',
      BUCKET: 'logs.archive-1',
      BUCKET_PREFIX: '/archive/cwl/',
      LOG_GROUP_NAMES: 'a, ,/b/c,a',
      EXCLUDE_LOG_GROUP_PREFIXES: '/aws/lambda/prod-',
      LOG_GROUP_TAG: ' Team = ops ',
      DRY_RUN: 'YES',
      LOG_LEVEL: 'DEBUG',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      STRATEGY: 'Retention',
      QUIET_MINUTES: '60',
      FORCE_REBUILD: '1',
      ALLOW_FILTERED_GROUPS: 'true',
      UNMASK: 'no',
      QUOTA_SHARE: '1',
      PRICE_INGESTION_PER_GB: '0.76',
      PRICE_STORAGE_PER_GB_MONTH: '.033',
      PRICE_ARCHIVE_PER_GB_MONTH: '0',
      COMPRESSION_RATIO: '7.5',
      PAYBACK_MONTHS: '12',
    });
    expect(config).toMatchObject({
      days: 7,
      bucket: 'logs.archive-1',
      bucketPrefix: 'archive/cwl',
      dryRun: true,
      logLevel: 'debug',
      selection: {
        names: ['a', '/b/c'],
        prefixes: [],
        excludePrefixes: ['/aws/lambda/prod-'],
        tag: { key: 'Team', value: 'ops' },
      },
      region: 'eu-west-1',
      endpointUrl: 'http://127.0.0.1:4566',
      strategy: 'retention',
      quietMinutes: 60,
      forceRebuild: true,
      allowFilteredGroups: true,
      unmask: false,
      quotaShare: 1,
      prices: {
        ingestionPerGb: 0.76,
        storagePerGbMonth: 0.033,
        archivePerGbMonth: 0,
        compressionRatio: 7.5,
        compressionRatioSource: 'setting',
        paybackHorizonMonths: 12,
      },
    });
  });

  it('lets a flag win over the variable, and the variable over the default', () => {
    const config = parseConfig(
      { ...BASE, QUIET_MINUTES: '240', DRY_RUN: 'true' },
      { days: '7', dryRun: false, logGroupPrefixes: ['/ecs/', '/rds/,/eks/'] },
    );
    expect(config.days).toBe(7);
    expect(config.dryRun).toBe(false);
    expect(config.selection.prefixes).toEqual(['/ecs/', '/rds/', '/eks/']);
    expect(config.quietMinutes).toBe(240);
    expect(config.strategy).toBe('rebuild');
  });

  it('accepts numbers and booleans from a Lambda event', () => {
    const event = { days: 14, quotaShare: 0.25, unmask: true, strategy: null } as unknown as Overrides;
    const config = parseConfig({ ...BASE, STRATEGY: 'retention' }, event);
    expect(config).toMatchObject({ days: 14, quotaShare: 0.25, unmask: true, strategy: 'retention' });
  });

  it('reads AWS_DEFAULT_REGION when AWS_REGION is unset, and prefers AWS_REGION', () => {
    expect(parseConfig({ ...BASE, AWS_DEFAULT_REGION: 'ap-northeast-1' }).region).toBe('ap-northeast-1');
    expect(parseConfig({ ...BASE, AWS_DEFAULT_REGION: 'ap-northeast-1', AWS_REGION: 'us-west-2' }).region).toBe(
      'us-west-2',
    );
    expect(parseConfig({ ...BASE, AWS_REGION: 'us-west-2' }, { region: 'eu-central-1' }).region).toBe('eu-central-1');
  });

  it('treats an empty optional variable as unset', () => {
    const config = parseConfig({ ...BASE, BUCKET_PREFIX: '', DRY_RUN: ' ', LOG_GROUP_NAMES: '', AWS_REGION: '' });
    expect(config).toMatchObject({ bucketPrefix: 'cwl-archive', dryRun: false, selection: { names: [] } });
    expect(config).not.toHaveProperty('region');
  });

  it.each([
    ['names only', { LOG_GROUP_NAMES: '/aws/lambda/orders' }],
    ['a tag only', { LOG_GROUP_TAG: 'AutoExport=True' }],
    ['every group on purpose', { LOG_GROUP_PREFIXES: '/' }],
  ])('accepts a selection by %s', (_, selection) => {
    expect(() => parseConfig({ DAYS: '30', BUCKET: 'my-archive', ...selection })).not.toThrow();
  });

  it('ignores environment variables that are not ours', () => {
    expect(() =>
      parseConfig({ ...BASE, PATH: '/usr/bin', HOME: '/root', AWS_PROFILE: 'dev', DAYS_OFF: 'x' }),
    ).not.toThrow();
  });
});

describe('parseConfig: bad values', () => {
  it('names the setting, the value and the fix', () => {
    const error = configError({ ...BASE, DAYS: 'abc' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.setting).toBe('DAYS');
    expect(error.message).toBe(
      'DAYS must be a whole number of days ≥ 1, got "abc". ' +
        'Set DAYS=30 (or --days 30) to archive and trim events older than 30 days.',
    );
  });

  it('names the flag when the value came from a flag', () => {
    const error = configError(BASE, { days: '0' });
    expect(error.message).toMatch(/^--days \(DAYS\) must be a whole number of days ≥ 1, got "0"\. Set DAYS=30/);
  });

  it('says a required setting is missing', () => {
    expect(configError({ BUCKET: 'b-1', LOG_GROUP_PREFIXES: '/' }).message).toBe(
      'DAYS is required. Set DAYS=30 (or --days 30) to archive and trim events older than 30 days.',
    );
    expect(configError({ DAYS: '1', LOG_GROUP_PREFIXES: '/' }).message).toMatch(
      /^BUCKET is required\. Set BUCKET=my-archive/,
    );
  });

  // [variable, bad value, what the message must also say]
  it.each([
    ['DAYS', '0', 'whole number of days ≥ 1'],
    ['DAYS', '-3', 'whole number of days ≥ 1'],
    ['DAYS', '1.5', 'whole number of days ≥ 1'],
    ['DAYS', '', 'whole number of days ≥ 1'],
    ['DAYS', '99999999999999999999', 'whole number of days ≥ 1'],
    ['BUCKET', 'ab', '3–63 lowercase letters'],
    ['BUCKET', 'a'.repeat(64), '3–63 lowercase letters'],
    ['BUCKET', '-archive', 'starting and ending with a letter or digit'],
    ['BUCKET', 'my_archive', '3–63 lowercase letters'],
    ['BUCKET', 'My-Archive', 'Set BUCKET=my-archive if that is the bucket'],
    ['BUCKET', 'my..archive', 'two dots in a row'],
    ['BUCKET', '192.168.5.4', 'IP address'],
    ['BUCKET', 'xn--archive', 'reserves'],
    ['BUCKET', 'sthree-archive', 'reserves'],
    ['BUCKET', 'archive-s3alias', 'reserves'],
    ['BUCKET', 'archive--ol-s3', 'reserves'],
    [
      'BUCKET',
      's3://my-archive/logs/',
      'Give the bucket name only, e.g. my-archive; use BUCKET_PREFIX for the path ' +
        '(here: BUCKET=my-archive BUCKET_PREFIX=logs)',
    ],
    ['BUCKET', 'arn:aws:s3:::my-archive', 'use BUCKET_PREFIX for the path (here: BUCKET=my-archive)'],
    ['BUCKET', 'my-archive/logs', 'use BUCKET_PREFIX for the path'],
    ['BUCKET_PREFIX', 'a//b', 'empty path segments'],
    ['BUCKET_PREFIX', 'a/../b', '".." segments'],
    ['BUCKET_PREFIX', '/', 'not the bucket root'],
    ['LOG_GROUP_NAMES', 'bad name!', 'log group names of 1–512 letters'],
    ['LOG_GROUP_PREFIXES', 'x'.repeat(513), 'log group name prefixes of 1–512'],
    ['EXCLUDE_LOG_GROUP_PREFIXES', 'prod*', 'log group name prefixes'],
    ['LOG_GROUP_TAG', 'AutoExport', 'Key=Value'],
    ['LOG_GROUP_TAG', 'a=b=c', 'Key=Value'],
    ['LOG_GROUP_TAG', '=True', 'Key=Value'],
    ['LOG_GROUP_TAG', 'AutoExport=', 'Key=Value'],
    ['DRY_RUN', 'maybe', 'true or false'],
    ['UNMASK', 'on', 'Set UNMASK=true or UNMASK=false (or pass --unmask)'],
    ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['STRATEGY', 'delete', 'one of rebuild, retention'],
    ['QUIET_MINUTES', '30', 'lags by up to an hour'],
    ['QUIET_MINUTES', 'soon', 'whole number of minutes ≥ 60'],
    ['QUOTA_SHARE', '0', 'greater than 0 and at most 1'],
    ['QUOTA_SHARE', '1.5', 'greater than 0 and at most 1'],
    ['QUOTA_SHARE', '50%', 'e.g. 0.5 for half'],
    ['PRICE_INGESTION_PER_GB', '-1', 'price in USD ≥ 0'],
    ['PRICE_STORAGE_PER_GB_MONTH', '$0.03', 'price in USD ≥ 0'],
    ['PRICE_ARCHIVE_PER_GB_MONTH', 'abc', 'price in USD ≥ 0'],
    ['COMPRESSION_RATIO', '0', 'ratio greater than 0'],
    ['PAYBACK_MONTHS', '0', 'months greater than 0'],
    ['AWS_ENDPOINT_URL', 'localhost:4566', 'http:// or https:// URL'],
    ['AWS_ENDPOINT_URL', 'ftp://example.com', 'http:// or https:// URL'],
    ['AWS_REGION', 'us-east-1a', 'Region code like us-east-1'],
  ])('%s=%j is refused', (variable, value, says) => {
    // Act
    const error = configError({ ...BASE, [variable]: value });

    // Assess
    expect(error.setting).toBe(variable);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).toContain(`${variable} must`);
    expect(error.message).toContain(`got ${JSON.stringify(value)}`);
    expect(error.message).toContain(says);
    expect(error.message).toMatch(/\. (Set|Give) /);
  });

  it('points at the bad item of a list', () => {
    const error = configError(BASE, { logGroupNames: ['/ok', 'bad name!'] });
    expect(error.message).toMatch(
      /^--log-group-name \(LOG_GROUP_NAMES\) must list log group names .*, got "bad name!"\./,
    );
  });

  it('reports every bad setting in one error, one line each', () => {
    const error = configError({ DAYS: 'abc', BUCKET: 'B', QUOTA_SHARE: '2' });
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^DAYS must/);
    expect(lines[1]).toMatch(/^BUCKET must/);
    expect(lines[2]).toMatch(/^QUOTA_SHARE must/);
    expect(lines[3]).toMatch(/^No log groups selected/);
    expect(error.setting).toBe('DAYS,BUCKET,QUOTA_SHARE,LOG_GROUP_PREFIXES');
  });

  it('refuses to select no log group, and says how to select all on purpose', () => {
    const error = configError({
      DAYS: '30',
      BUCKET: 'my-archive',
      LOG_GROUP_PREFIXES: ' , ',
      EXCLUDE_LOG_GROUP_PREFIXES: '/x',
    });
    expect(error.setting).toBe('LOG_GROUP_PREFIXES');
    expect(error.message).toContain('set LOG_GROUP_PREFIXES=/ (or --log-group-prefix /)');
  });

  it.each([
    ['DAY', 'DAYS'],
    ['RETENTION_DAYS', 'DAYS'],
    ['BUCKET_NAME', 'BUCKET'],
    ['S3_BUCKET', 'BUCKET'],
    ['LOG_GROUP_PREFIX', 'LOG_GROUP_PREFIXES'],
    ['LOG_GROUP_NAME', 'LOG_GROUP_NAMES'],
    ['EXCLUDE_LOG_GROUP_PREFIX', 'EXCLUDE_LOG_GROUP_PREFIXES'],
    ['DRYRUN', 'DRY_RUN'],
    ['dry_run', 'DRY_RUN'],
    ['days', 'DAYS'],
    ['Quiet_Minutes', 'QUIET_MINUTES'],
  ])('refuses the near miss %s and names %s when that setting is not set', (wrong, right) => {
    const env: Record<string, string | undefined> = { ...BASE, [wrong]: 'x' };
    delete env[right];
    const error = configError(env);
    expect(error.setting.split(',')).toContain(wrong);
    expect(error.message).toContain(
      `${wrong} is not a cwl-trim setting; did you mean ${right}? Rename ${wrong}=x to ${right}=x`,
    );
  });

  it("ignores a look-alike variable when the real setting is set too (another tool's S3_BUCKET)", () => {
    expect(parseConfig({ ...BASE, S3_BUCKET: 'other-tools-bucket', DAY: 'monday' }).bucket).toBe('my-archive');
  });

  it('ignores a look-alike variable when the flag gives the setting', () => {
    const { BUCKET: _unset, ...env } = BASE;
    expect(parseConfig({ ...env, BUCKET_NAME: 'x' }, { bucket: 'from-flag' }).bucket).toBe('from-flag');
  });

  it('refuses an unknown override and lists the known settings', () => {
    const error = configError(BASE, { dayz: '3' } as unknown as Overrides);
    expect(error.setting).toBe('dayz');
    expect(error.message).toMatch(/^unknown setting "dayz"; known settings: days, bucket, bucketPrefix, /);
  });
});

describe('SETTINGS and describeSettings', () => {
  it('gives every setting its own variable and flag', () => {
    const specs = Object.values(SETTINGS);
    expect(new Set(specs.map((s) => s.env)).size).toBe(specs.length);
    expect(new Set(specs.map((s) => s.flag)).size).toBe(specs.length);
  });

  it('holds the defaults parseConfig applies', () => {
    const config = parseConfig(BASE);
    expect(config.quietMinutes).toBe(SETTINGS.quietMinutes.default);
    expect(config.quotaShare).toBe(SETTINGS.quotaShare.default);
    expect(config.bucketPrefix).toBe(SETTINGS.bucketPrefix.default);
    expect(config.prices.paybackHorizonMonths).toBe(SETTINGS.paybackMonths.default);
  });

  it('documents every flag and variable within 100 columns', () => {
    const help = describeSettings();
    for (const s of Object.values(SETTINGS)) {
      expect(help).toContain(`--${s.flag}`);
      expect(help).toContain(s.env);
    }
    expect(help).toContain('--days <value>');
    expect(help).toContain('DAYS (required)');
    expect(help).toContain('QUIET_MINUTES (default 180)');
    expect(Math.max(...help.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
  });
});
