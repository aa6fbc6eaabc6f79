/**
 * Runs in the sandbox process: seeds a huge account from its generator, and after a drain checks it
 * event by event (every seeded event is in CloudWatch or in the archive, none twice in CloudWatch)
 * and counts what is left of each kind of stream.
 */
import type { Sandbox } from '@cwl-trim/sandbox';
import { NO_EVENTS, addChecks, checkStream, exportLineKey, type EventCheck } from './drainFigures.js';
import {
  countStreams,
  emptySummary,
  groupName,
  groupStreams,
  hugeStreams,
  type HugeSpec,
  type HugeStream,
  type HugeSummary,
  type StreamKind,
} from './hugeAccount.js';

/** Seeds every group through the sandbox's bulk path; returns the account's counts. */
function seedHuge(sandbox: Sandbox, spec: HugeSpec, nowMs: number): HugeSummary & { seedSeconds: number } {
  const t0 = Date.now();
  const counted: HugeStream[] = [];
  let summary = emptySummary(spec);
  for (let g = 0; g < spec.groups; g++) {
    const group = groupName(spec, g);
    sandbox.seedGroup(group, { creationTimeMs: nowMs - 45 * 86_400_000 });
    sandbox.seedStreams(
      group,
      (function* () {
        for (const s of groupStreams(spec, g, nowMs)) {
          counted[0] = s;
          summary = countStreams(summary, counted);
          yield { name: s.name, events: s.events };
        }
      })(),
    );
  }
  return { ...summary, seedSeconds: (Date.now() - t0) / 1000 };
}

/** Archived events by stream name: every `.gz` export object's lines, as event keys. */
function archivedEvents(sandbox: Sandbox, bucket: string, streamNames: ReadonlySet<string>): Map<string, Set<string>> {
  const byStream = new Map<string, Set<string>>();
  for (const file of sandbox.readExport(bucket, '')) {
    // `<prefix>/<taskId>/<stream>/000000.gz`, and stream names hold slashes: find the known one.
    const parts = file.key.split('/').slice(0, -1);
    let stream: string | undefined;
    for (let i = 1; i < parts.length && stream === undefined; i++) {
      const candidate = parts.slice(i).join('/');
      if (streamNames.has(candidate)) stream = candidate;
    }
    if (stream === undefined) continue;
    const keys = byStream.get(stream) ?? new Set<string>();
    for (const line of file.lines) {
      const key = exportLineKey(line);
      if (key !== undefined) keys.add(key);
    }
    byStream.set(stream, keys);
  }
  return byStream;
}

interface HugeCheck extends EventCheck {
  /** Streams still in CloudWatch, by kind. */
  readonly left: Record<StreamKind, number>;
  /** Straddling streams that hold exactly their kept events (rebuilt, or never touched yet: see left). */
  readonly straddlingRebuilt: number;
}

/** The end state of a drain, event by event. */
function verifyHuge(sandbox: Sandbox, spec: HugeSpec, nowMs: number, bucket: string): HugeCheck {
  const names = new Set<string>();
  for (const s of hugeStreams(spec, nowMs)) names.add(s.name);
  const archive = archivedEvents(sandbox, bucket, names);
  names.clear();
  const left: Record<StreamKind, number> = { expired: 0, current: 0, straddling: 0 };
  let check = NO_EVENTS;
  let straddlingRebuilt = 0;
  const existing = new Map<string, Set<string>>();
  for (let g = 0; g < spec.groups; g++)
    existing.set(groupName(spec, g), new Set(sandbox.streamNames(groupName(spec, g))));
  for (const s of hugeStreams(spec, nowMs)) {
    const exists = existing.get(s.group)?.has(s.name) === true;
    const held = exists ? sandbox.events(s.group, s.name) : [];
    if (exists) left[s.kind] += 1;
    if (s.kind === 'straddling' && held.length === s.keptEvents) straddlingRebuilt += 1;
    check = addChecks(check, checkStream(s.events, held, archive.get(s.name) ?? new Set()));
  }
  return { ...check, left, straddlingRebuilt };
}

export { seedHuge, verifyHuge };
export type { HugeCheck };
