/**
 * The journal manifest is the list of what a rebuilt stream must get back: one that does not add up
 * (hand-edited, or damaged in a way that still parses) is refused when read, before the stream is
 * deleted, instead of being trusted.
 */
import { describe, expect, it } from 'vitest';
import { JOURNAL_VERSION, JournalManifestSchema } from '../../../src/trim/journalSchema.js';

const entry = (events: number, bytes: number, firstEventMs: number) => ({
  events,
  firstEventMs,
  lastEventMs: firstEventMs + 10,
  bytes,
  sha256: 'a'.repeat(64),
});

const manifest = {
  version: JOURNAL_VERSION,
  logGroupName: '/app/orders',
  logStreamName: 'straddling',
  cutoffMs: 1_000,
  snapshot: { logStreamName: 'straddling', creationTimeMs: 500 },
  batches: 2,
  events: 30,
  bytes: 3_000,
  firstEventMs: 1_000,
  lastEventMs: 2_010,
  savedAtMs: 5_000,
  runId: 'run-1',
  unmasked: false,
  batchList: [entry(10, 1_000, 1_000), entry(20, 2_000, 2_000)],
};

describe('JournalManifestSchema', () => {
  it('takes a manifest whose batches add up', () => {
    expect(JournalManifestSchema.safeParse(manifest).success).toBe(true);
  });

  it.each([
    ['lists fewer batches than it counts', { batches: 3 }, 'batchList'],
    ['counts more events than its batches hold', { events: 31 }, 'events'],
    ['counts more bytes than its batches hold', { bytes: 3_001 }, 'bytes'],
  ])('refuses a manifest that %s', (_name, edit, path) => {
    const parsed = JournalManifestSchema.safeParse({ ...manifest, ...edit });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual([path]);
  });
});
