/**
 * What an operator reads when cwl-trim leaves a group or a stream alone: each skip's detail word for
 * word (the cause, and the setting or permission that would change it), and the edges of the guards
 * whose texts they are. A dry run prints these; a wrong one sends the operator to the wrong fix.
 */
import { describe, expect, it } from 'vitest';
import { BatchPacker } from '../../../src/plan/batchEvents.js';
import {
  classSkip,
  guardStream,
  planGroupDeletion,
  readsStreams,
  rebuildBlocked,
} from '../../../src/plan/groupGuards.js';
import type { StreamPlan } from '../../../src/plan/planTypes.js';
import type { GroupExtras } from '../../../src/types.js';
import { NOW, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const NONE: GroupExtras = {
  accountSubscriptionPolicies: [],
  accountMetricPolicies: [],
  transformers: [],
  accountDataProtection: false,
  deletionProtected: false,
  storageTier: 'STANDARD',
};
const withExtras = (extras: Partial<GroupExtras>) => groupFactory({ extras: { ...NONE, ...extras } });
const strict = { allowFilteredGroups: false, unmask: false };

describe('a group left alone for its class', () => {
  it('names the class and why, for each class cwl-trim cannot read', () => {
    expect(classSkip({ logGroupClass: 'DELIVERY' })).toEqual({
      reason: 'delivery-class',
      detail: 'Delivery class groups cannot be exported and keep events for one day; left untouched',
    });
    expect(classSkip({ logGroupClass: 'ESSENTIALS' })?.detail).toBe(
      'the ESSENTIALS class is not documented to support export to S3 and GetLogEvents; left untouched',
    );
  });

  it('says why an Infrequent Access group is left alone', () => {
    expect(classSkip({ logGroupClass: 'INFREQUENT_ACCESS' })).toEqual({
      reason: 'infrequent-access',
      detail: 'Infrequent Access groups support neither export to S3 nor GetLogEvents; left untouched',
    });
  });

  it('has its streams listed only when it is STANDARD', () => {
    expect(readsStreams('STANDARD')).toBe(true);
    for (const other of ['INFREQUENT_ACCESS', 'DELIVERY', 'ESSENTIALS']) expect(readsStreams(other)).toBe(false);
  });
});

describe('a rebuild the account or the group forbids', () => {
  it('names the transformers that would transform the re-put events again', () => {
    expect(rebuildBlocked(withExtras({ transformers: ['parse-json', 'add-keys'] }), strict)).toEqual({
      reason: 'transformed',
      detail: 're-put events would be transformed a second time by parse-json, add-keys; not rebuilt',
    });
  });

  it('says why the account policies are unknown and which permission reads them', () => {
    expect(rebuildBlocked(withExtras({ accountPoliciesUnreadable: 'AccessDeniedException' }), strict)?.detail).toBe(
      'account policies could not be read (AccessDeniedException); an account subscription, metric or data protection policy may apply; allow logs:DescribeAccountPolicies',
    );
  });

  it('goes on without the account policies only when both ALLOW_FILTERED_GROUPS and UNMASK accept what they could hold', () => {
    const unknown = withExtras({ accountPoliciesUnreadable: 'AccessDeniedException' });
    expect(rebuildBlocked(unknown, { allowFilteredGroups: true, unmask: false })?.reason).toBe(
      'account-policies-unknown',
    );
    expect(rebuildBlocked(unknown, { allowFilteredGroups: false, unmask: true })?.reason).toBe(
      'account-policies-unknown',
    );
    expect(rebuildBlocked(unknown, { allowFilteredGroups: true, unmask: true })).toBeUndefined();
  });

  it('names the account policies that would see the re-put events again, and the setting that accepts it', () => {
    expect(
      rebuildBlocked(withExtras({ accountSubscriptionPolicies: ['to-kinesis', 'to-lambda'] }), strict)?.detail,
    ).toBe(
      're-put events would be delivered again by the account subscription policy to-kinesis, to-lambda; set ALLOW_FILTERED_GROUPS=true to accept',
    );
    expect(rebuildBlocked(withExtras({ accountMetricPolicies: ['errors'] }), strict)?.detail).toBe(
      're-put events would be counted again by the account metric extraction policy errors; set ALLOW_FILTERED_GROUPS=true to accept',
    );
    expect(rebuildBlocked(withExtras({ accountDataProtection: true }), strict)?.detail).toBe(
      "the account's data protection policy masks reads: masked events would replace the originals; set UNMASK=true (needs logs:Unmask)",
    );
  });

  it('says what to do about deletion protection', () => {
    const plan: StreamPlan = {
      logStreamName: 's',
      action: 'delete',
      reason: 'expired',
      detail: 'd',
      snapshot: streamFactory('s', 10, 1),
      estimate: {
        storedBytes: 1,
        removeStoredBytes: 1,
        reputBytes: 0,
        reputCostUsd: 0,
        monthlySavingUsd: 0,
        paybackMonths: 0,
        cloudWatchMonthlyUsd: 0,
        archiveMonthlyUsd: 0,
        stayMonths: 0,
        lifetimeSavingUsd: 0,
      },
    };
    expect(guardStream(plan, withExtras({ deletionProtected: true }), strict).detail).toBe(
      'deletion protection is on, so DeleteLogStream would be refused; disable it to trim this group',
    );
  });
});

describe('an empty group (DELETE_EMPTY_GROUPS)', () => {
  const window = {
    fromMs: 0,
    toMs: NOW - 10 * 86_400_000,
    taskId: 't',
    destinationPrefix: 'p',
    taskCreatedAtMs: NOW - 9 * 86_400_000,
    objectCount: 1,
    bytes: 1,
  };
  const on = { deleteEmptyGroups: true };

  it('is kept when its settings were not read at all (no extras)', () => {
    const entry = {
      group: groupFactory({ storedBytes: 0 }),
      streams: { length: 0 },
      state: stateFactory(undefined, { archivedThroughMs: window.toMs, windows: [window] }),
    };
    expect(entry.group.extras).toBeUndefined();
    expect(planGroupDeletion(entry, on, false)).toBeUndefined();
  });

  it('is kept when its state lists windows but no watermark (nothing says it was archived through them)', () => {
    const entry = {
      group: groupFactory({ storedBytes: 0, extras: { ...NONE, filterCount: 0 } }),
      streams: { length: 0 },
      state: stateFactory(undefined, { windows: [window] }),
    };
    expect(planGroupDeletion(entry, on, false)).toBeUndefined();
  });
});

describe('events the rebuild cannot put back as they are', () => {
  it('refuses events out of order, naming both timestamps', () => {
    const packer = new BatchPacker();
    packer.add({ timestamp: 2_000, message: 'b' });
    expect(() => packer.add({ timestamp: 1_000, message: 'a' })).toThrow(
      'events must arrive in timestamp order: 1000 after 2000',
    );
  });

  it("refuses an event over PutLogEvents' limit, naming its size (the message's bytes), time and the limit", () => {
    const packer = new BatchPacker({
      maxBytes: 1_048_576,
      maxEvents: 10_000,
      maxSpanMs: 86_400_000,
      maxEventBytes: 100,
    });
    expect(() => packer.add({ timestamp: 7, message: 'x'.repeat(101) })).toThrow(
      "an event of 101 bytes at 7 exceeds PutLogEvents' 100-byte limit per event",
    );
  });
});
