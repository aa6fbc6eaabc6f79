import type { TimeWindow } from '../types.js';

/**
 * Every S3 key cwl-trim writes, in one place. Log group names may contain `/` but never `~`, so
 * `/aws/lambda/app` becomes `~aws~lambda~app`: readable, one path segment, and no two groups collide.
 * Stream names may contain almost anything: they are URI-encoded in our own keys.
 */
const groupKey = (logGroupName: string): string => logGroupName.replaceAll('/', '~');
const streamKey = (logStreamName: string): string => encodeURIComponent(logStreamName);
/** The inverses, for keys read back from S3. */
const groupNameOfKey = (key: string): string => key.replaceAll('~', '/');
const streamNameOfKey = (key: string): string => decodeURIComponent(key);

/** The state object holding a group's watermark, archived windows and the export in flight. */
const stateKey = (prefix: string, logGroupName: string): string =>
  `${prefix}/state/groups/${groupKey(logGroupName)}.json`;
const stateListPrefix = (prefix: string): string => `${prefix}/state/groups/`;

/** The lease that keeps two runs off one archive prefix. */
const leaseKey = (prefix: string): string => `${prefix}/state/lease.json`;

/** Where one group's window is exported: unique per group and window, so a re-export never mixes with an older one. */
const exportPrefix = (prefix: string, logGroupName: string, window: TimeWindow): string =>
  `${prefix}/exports/${groupKey(logGroupName)}/${window.fromMs}-${window.toMs}`;

/** The manifest written beside a verified export. */
const manifestKey = (destinationPrefix: string): string => `${destinationPrefix}/manifest.json`;

/** A rebuild's journal: the events to put back and the progress of putting them. */
const journalPrefix = (prefix: string, logGroupName: string, logStreamName: string): string =>
  `${prefix}/journal/${groupKey(logGroupName)}/${streamKey(logStreamName)}`;
const journalListPrefix = (prefix: string): string => `${prefix}/journal/`;

/** Events PutLogEvents refused during a rebuild: kept here for good, and reported. */
const rejectedPrefix = (prefix: string, logGroupName: string, logStreamName: string): string =>
  `${prefix}/rejected/${groupKey(logGroupName)}/${streamKey(logStreamName)}`;

/** A run's JSON report. */
const reportKey = (prefix: string, runId: string, atMs: number): string =>
  `${prefix}/reports/${new Date(atMs).toISOString().replaceAll(':', '')}-${runId}.json`;

export {
  exportPrefix,
  groupKey,
  groupNameOfKey,
  journalListPrefix,
  journalPrefix,
  leaseKey,
  manifestKey,
  rejectedPrefix,
  reportKey,
  stateKey,
  stateListPrefix,
  streamKey,
  streamNameOfKey,
};
