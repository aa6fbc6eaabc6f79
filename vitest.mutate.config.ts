import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export { config as default };

// The suite Stryker runs against each mutant (`npm run mutate`): the unit tests of the code it
// mutates and the in-process integration tests that drive whole runs through its guards. Left out,
// to keep a run within tens of minutes on a shared 2-core machine: child-process tests (CLI, demo,
// crashes: they would run unmutated code anyway), the sandbox's and the report's own tests, moto,
// packaging, and the slow pacing tests (throttling, call budget), which assert rates, not guards.
// The lock, export, late-writer, empty-group, resume and selection tests are in: they are the only
// ones that reach src/archive's lock, export and catch-up code and most of src/execute.
/**
 * Unit tests first: Stryker stops at a mutant's first failing test, and a pure unit test kills in
 * milliseconds what an integration test kills in a second.
 */
class UnitTestsFirst extends BaseSequencer {
  public override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => (f.moduleId.includes('/test/unit/') ? 0 : 1);
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

const config = defineConfig({
  test: {
    include: [
      'test/unit/plan/**/*.test.ts',
      'test/unit/archive/**/*.test.ts',
      'test/unit/aws/**/*.test.ts',
      'test/unit/execute/**/*.test.ts',
      'test/unit/trim/**/*.test.ts',
      'test/unit/config.test.ts',
      'test/unit/configErrors.test.ts',
      'test/unit/configSurvivors.test.ts',
      'test/integration/archiveAndTrim.test.ts',
      'test/integration/archiveCrash.test.ts',
      'test/integration/rebuildCrash.test.ts',
      'test/integration/rebuildSafety.test.ts',
      'test/integration/notYetPut.test.ts',
      'test/integration/lastLook.test.ts',
      'test/integration/producersDuringRun.test.ts',
      'test/integration/guards.test.ts',
      'test/integration/guardEach.test.ts',
      'test/integration/lease.test.ts',
      'test/integration/leaseReports.test.ts',
      'test/integration/stateStore.test.ts',
      'test/integration/cursors.test.ts',
      'test/integration/archiveStateReports.test.ts',
      'test/integration/dryRun.test.ts',
      'test/integration/handler.test.ts',
      'test/integration/handlerExportStarted.test.ts',
      'test/integration/handlerOperations.test.ts',
      'test/integration/groupLock.test.ts',
      'test/integration/groupLockCalls.test.ts',
      'test/integration/groupLockFaults.test.ts',
      'test/integration/emptyGroups.test.ts',
      'test/integration/lateEvents.test.ts',
      'test/integration/catchUpDetails.test.ts',
      'test/integration/resume.test.ts',
      'test/integration/streamLooks.test.ts',
      'test/integration/selection.test.ts',
      'test/integration/accountPolicies.test.ts',
      'test/integration/rebuildReports.test.ts',
      'test/integration/exportTaskFound.test.ts',
      'test/integration/resumeReports.test.ts',
      'test/integration/emptyGroupFaults.test.ts',
      'test/integration/runExportSurvivors.test.ts',
      'test/integration/putBackSurvivors.test.ts',
      'test/integration/finishRebuildSurvivors.test.ts',
      'test/integration/catchUpSurvivors.test.ts',
      'test/integration/groupWalkDetails.test.ts',
      'test/integration/metadataPending.test.ts',
      'test/integration/runGroupSurvivors.test.ts',
      'test/integration/trimPagesSettings.test.ts',
      'test/integration/trimPagesListing.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { sequencer: UnitTestsFirst },
    // One module graph for every test file of a mutant's run: Stryker switches mutants at run time
    // (no reload needed; static mutants are ignored), and re-importing the SDK and the sandbox for each
    // file was ~40 % of the time (this suite in one thread: 116 s isolated, 65 s not; all tests pass).
    isolate: false,
  },
});
