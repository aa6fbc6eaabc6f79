/**
 * The schemas of a rebuild journal's objects. Each carries a version; every object is validated when
 * it is read back, so a damaged or hand-edited journal is refused with the object's name instead of
 * being put back wrong.
 */
import { z } from 'zod';

const JOURNAL_VERSION = 2;
const PROGRESS_VERSION = 1;
const BATCH_VERSION = 1;

const ms = z.number().int();
const count = z.number().int().nonnegative();

const StreamInfoSchema = z.object({
  logStreamName: z.string(),
  creationTimeMs: ms,
  firstEventTimestampMs: ms.exactOptional(),
  lastEventTimestampMs: ms.exactOptional(),
  lastIngestionTimeMs: ms.exactOptional(),
});

/** What one saved batch holds: checked against the object before the stream is deleted. */
const BatchEntrySchema = z.object({
  events: z.number().int().positive(),
  firstEventMs: ms,
  lastEventMs: ms,
  /** PutLogEvents bytes (message + 26 per event). */
  bytes: z.number().int().positive(),
  /** Hex SHA-256 of the batch object's bytes as written. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const JournalManifestSchema = z
  .object({
    version: z.literal(JOURNAL_VERSION),
    logGroupName: z.string().min(1),
    logStreamName: z.string().min(1),
    /** Events at or after this timestamp were saved. */
    cutoffMs: ms,
    /** The stream as it was just before its events were read; it must still look like this at delete time. */
    snapshot: StreamInfoSchema,
    batches: count,
    events: count,
    /** PutLogEvents bytes (message + 26 per event). */
    bytes: count,
    firstEventMs: ms.exactOptional(),
    lastEventMs: ms.exactOptional(),
    savedAtMs: ms,
    runId: z.string(),
    /** Read with `unmask: true` (data-protected group). */
    unmasked: z.boolean(),
    /** One entry per batch, in order. */
    batchList: z.array(BatchEntrySchema),
  })
  .refine((m) => m.batchList.length === m.batches, {
    message: 'batchList does not have `batches` entries',
    path: ['batchList'],
  })
  .refine((m) => m.batchList.reduce((n, b) => n + b.events, 0) === m.events, {
    message: 'the batches do not add up to `events`',
    path: ['events'],
  })
  .refine((m) => m.batchList.reduce((n, b) => n + b.bytes, 0) === m.bytes, {
    message: 'the batches do not add up to `bytes`',
    path: ['bytes'],
  });

const JournalPhaseSchema = z.enum(['saved', 'deleting', 'putting', 'removing']);

const JournalProgressSchema = z.object({
  version: z.literal(PROGRESS_VERSION),
  phase: JournalPhaseSchema,
  /** The next batch to put (phase 'putting'). */
  nextBatch: count,
  /** Events PutLogEvents refused so far (kept under the rejected prefix). */
  rejected: count,
  /** Events that reached the stream so far. */
  put: count,
});

const LogEventSchema = z.object({ timestamp: ms, message: z.string().min(1) });
const JournalBatchSchema = z.object({ version: z.literal(BATCH_VERSION), events: z.array(LogEventSchema).min(1) });

type BatchEntry = z.infer<typeof BatchEntrySchema>;
type JournalManifest = z.infer<typeof JournalManifestSchema>;
type JournalPhase = z.infer<typeof JournalPhaseSchema>;
type JournalProgress = z.infer<typeof JournalProgressSchema>;

export {
  BATCH_VERSION,
  JOURNAL_VERSION,
  JournalBatchSchema,
  JournalManifestSchema,
  JournalProgressSchema,
  PROGRESS_VERSION,
  StreamInfoSchema,
};
export type { BatchEntry, JournalManifest, JournalPhase, JournalProgress };
