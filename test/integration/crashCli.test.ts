/**
 * The real CLI, as a child process, SIGKILLed at a few points of a run with a rebuild, then run
 * again to completion: every event is accounted for (none lost, none twice in CloudWatch, every old
 * one archived once). The sandbox holds the chosen mutating call, so the point is exact; points are
 * named by operation, not by position, so they survive a change in the order of calls.
 * `npm run crash-sweep` kills at every mutating call, before and after it takes effect.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeStagedPackage } from '../helpers/bundle.js';
import type { CallRecord } from '@cwl-trim/sandbox';
import {
  eventDifferences,
  removeDeadRunsLease,
  runCli,
  startCrashWorld,
  type CrashWorld,
  type KillPoint,
} from '../helpers/cliCrash.js';

const onStream = (operation: string, stream: string) => (c: CallRecord) =>
  c.operation === operation && (c.input as { logStreamName?: string }).logStreamName === stream;
const s3Put =
  (...fragments: string[]) =>
  (c: CallRecord) =>
    c.operation === 'PutObject' && fragments.every((f) => String((c.input as { Key?: string }).Key).includes(f));

const POINTS: readonly (readonly [string, KillPoint])[] = [
  [
    'after CreateExportTask took effect, before its task id was saved',
    { nth: 1, phase: 'after', where: (c) => c.operation === 'CreateExportTask' },
  ],
  [
    'before the journal manifest is written (every batch saved, the save not committed)',
    { nth: 1, phase: 'before', where: s3Put('/journal/', 'manifest.json') },
  ],
  [
    'after the straddling stream was deleted, before it is created again',
    { nth: 1, phase: 'after', where: onStream('DeleteLogStream', 'straddling') },
  ],
  [
    'after the 3rd batch was put back, before its progress was recorded',
    { nth: 3, phase: 'after', where: onStream('PutLogEvents', 'straddling') },
  ],
];

let world: CrashWorld | undefined;
afterAll(removeStagedPackage);
afterEach(async () => {
  await world?.sandbox.stop();
  world = undefined;
});

describe('the CLI killed mid-run (SIGKILL), then run again', () => {
  it.each(POINTS)(
    '%s: nothing lost, nothing twice',
    async (_label, point) => {
      world = await startCrashWorld();
      const killed = await runCli(world, point);
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(killed.killedAt).toBeDefined();
      // Killed mid-run, the world is not yet what it must become.
      expect(
        eventDifferences(world).length + world.sandbox.objects('archive', 'cwl-archive/journal/').length,
      ).toBeGreaterThan(0);
      await removeDeadRunsLease(world.sandbox);
      const again = await runCli(world);
      expect(again.code, again.stderr).toBe(0);
      expect(eventDifferences(world)).toEqual([]);
      expect(world.sandbox.objects('archive', 'cwl-archive/journal/')).toEqual([]);
    },
    90_000,
  );
});
