/**
 * Where the verification of a large export stands, so that the next invocation goes on from there:
 * a million-object export takes about an invocation to list, and one that started again from the
 * first key each time would never finish. Saved beside the manifest parts when the deadline cuts the
 * listing; it names the parts already written and the last key they hold, and the next run lists
 * after that key (ListObjectsV2's StartAfter). Validated on read: a checkpoint that does not parse,
 * or is for another task, is ignored and the listing starts again (slower, never wrong: the manifest
 * is written only once every object has been listed).
 */
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { DurableStateError } from '../errors.js';
import { deleteObject, getJson, putJson } from './s3Objects.js';

const PartRefSchema = z.object({
  key: z.string(),
  first: z.string(),
  last: z.string(),
  count: z.number().int().positive(),
});

const CheckpointSchema = z.object({
  taskId: z.string(),
  /** The parts written so far, in key order. */
  parts: z.array(PartRefSchema).min(1),
  /** Objects and bytes the parts hold. */
  objectCount: z.number().int().positive(),
  bytes: z.number().nonnegative(),
});

type VerifyCheckpoint = z.infer<typeof CheckpointSchema>;
type CheckpointDeps = Pick<Deps, 'clients' | 'call'>;

const checkpointKey = (destinationPrefix: string): string => `${destinationPrefix}/manifest-parts/checkpoint.json`;

/** The checkpoint of this task's verification, if a valid one was saved. */
async function loadCheckpoint(
  deps: CheckpointDeps,
  bucket: string,
  destinationPrefix: string,
  taskId: string,
): Promise<VerifyCheckpoint | undefined> {
  let stored: Awaited<ReturnType<typeof getJson<unknown>>>;
  try {
    stored = await getJson<unknown>(deps, bucket, checkpointKey(destinationPrefix));
  } catch (err) {
    if (err instanceof DurableStateError) return undefined; // not JSON: listed again from the first key
    throw err;
  }
  const parsed = stored ? CheckpointSchema.safeParse(stored.value) : undefined;
  if (!parsed?.success || parsed.data.taskId !== taskId) return undefined;
  const counted = parsed.data.parts.reduce((n, p) => n + p.count, 0);
  return counted === parsed.data.objectCount ? parsed.data : undefined;
}

async function saveCheckpoint(
  deps: CheckpointDeps,
  bucket: string,
  destinationPrefix: string,
  checkpoint: VerifyCheckpoint,
): Promise<void> {
  await putJson(deps, bucket, checkpointKey(destinationPrefix), checkpoint);
}

/** Once the manifest is written the checkpoint says nothing more. */
async function dropCheckpoint(deps: CheckpointDeps, bucket: string, destinationPrefix: string): Promise<void> {
  await deleteObject(deps, bucket, checkpointKey(destinationPrefix));
}

export { checkpointKey, dropCheckpoint, loadCheckpoint, saveCheckpoint };
export type { VerifyCheckpoint };
