import { MS_PER_DAY } from '../../src/constants.js';
import type { Config, GroupInfo, GroupState, StreamInfo } from '../../src/types.js';

/** A fixed "now" for pure tests: 2026-11-21T12:00:00Z. */
const NOW = Date.UTC(2026, 10, 21, 12);
const daysAgo = (d: number, now = NOW): number => now - d * MS_PER_DAY;

function configFactory(overrides: Partial<Config> = {}): Config {
  return {
    days: 7,
    bucket: 'archive-bucket',
    bucketPrefix: 'cwl-archive',
    selection: { names: [], prefixes: ['/'], excludePrefixes: [] },
    dryRun: false,
    logLevel: 'silent',
    strategy: 'rebuild',
    quietMinutes: 180,
    forceRebuild: false,
    allowFilteredGroups: false,
    unmask: false,
    quotaShare: 0.5,
    prices: {
      ingestionPerGb: 0.5,
      storagePerGbMonth: 0.03,
      archivePerGbMonth: 0.023,
      compressionRatio: 5,
      paybackHorizonMonths: 12,
      tier30To90PerGbMonth: 0.018,
      tierOver90PerGbMonth: 0.006,
    },
    ...overrides,
  };
}

function groupFactory(overrides: Partial<GroupInfo> = {}): GroupInfo {
  const logGroupName = overrides.logGroupName ?? '/aws/lambda/app';
  return {
    logGroupName,
    arn: `arn:aws:logs:us-east-1:123456789012:log-group:${logGroupName}:*`,
    creationTimeMs: daysAgo(90),
    storedBytes: 1024 ** 3,
    logGroupClass: 'STANDARD',
    tags: {},
    subscriptionFilterCount: 0,
    metricFilterCount: 0,
    hasDataProtectionPolicy: false,
    ...overrides,
  };
}

/** A stream written from `fromDaysAgo` to `toDaysAgo`, last ingested with its last event. */
function streamFactory(
  name: string,
  fromDaysAgo: number,
  toDaysAgo: number,
  overrides: Partial<StreamInfo> = {},
): StreamInfo {
  return {
    logStreamName: name,
    creationTimeMs: daysAgo(fromDaysAgo),
    firstEventTimestampMs: daysAgo(fromDaysAgo),
    lastEventTimestampMs: daysAgo(toDaysAgo),
    lastIngestionTimeMs: daysAgo(toDaysAgo),
    ...overrides,
  };
}

function stateFactory(logGroupName = '/aws/lambda/app', overrides: Partial<GroupState> = {}): GroupState {
  return { logGroupName, windows: [], ...overrides };
}

export { NOW, configFactory, daysAgo, groupFactory, stateFactory, streamFactory };
