/**
 * Rewrites an archive's inline manifests in the layout of a large export (src/archive/exportManifest.ts):
 * the objects listed in parts of `partObjects` beside the manifest, each part with its first and last
 * key, the manifest listing the parts. A real run writes parts only past 10,000 objects; tests split
 * the standard scenario's few dozen objects into many parts to read them part by part.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Sandbox } from '@cwl-trim/sandbox';
import { sandboxClients } from '@cwl-trim/sandbox/testing';
import { BUCKET } from './runHarness.js';

interface Split {
  /** Every part's key, in order, per manifest key. */
  readonly parts: ReadonlyMap<string, readonly string[]>;
}

/** Splits every inline manifest under the archive's exports folder; returns the parts written. */
async function splitManifests(sandbox: Sandbox, partObjects: number): Promise<Split> {
  const { s3, destroy } = sandboxClients(sandbox.endpoint, sandbox.region);
  const parts = new Map<string, string[]>();
  try {
    for (const m of sandbox.objects(BUCKET, 'cwl-archive/exports/').filter((o) => o.key.endsWith('/manifest.json'))) {
      const manifest = JSON.parse(m.body.toString('utf8')) as {
        objects?: { key: string }[];
        destinationPrefix: string;
      };
      if (manifest.objects === undefined || manifest.objects.length <= partObjects) continue;
      const refs: { key: string; first: string; last: string; count: number }[] = [];
      for (let at = 0; at < manifest.objects.length; at += partObjects) {
        const objects = manifest.objects.slice(at, at + partObjects);
        const key = `${manifest.destinationPrefix}/manifest-parts/${String(refs.length).padStart(5, '0')}.json`;
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify({ objects }) }));
        refs.push({ key, first: objects[0]!.key, last: objects.at(-1)!.key, count: objects.length });
      }
      const { objects: _inline, ...rest } = manifest;
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: m.key, Body: JSON.stringify({ ...rest, parts: refs }) }),
      );
      parts.set(
        m.key,
        refs.map((r) => r.key),
      );
    }
  } finally {
    destroy();
  }
  return { parts };
}

export { splitManifests };
