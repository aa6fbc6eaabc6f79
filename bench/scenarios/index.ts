/** The scenarios `npm run bench` knows, by the name given on its command line. */
import type { ScenarioResult } from '../types.js';
import { runArchiveCat } from './archiveCat.js';
import { runArchiveWide } from './archiveWide.js';
import { runBigRebuild } from './bigRebuild.js';
import { runExportBacklog } from './exportBacklog.js';
import { runFleet } from './fleet.js';
import { runHugeDrain } from './hugeDrain.js';
import { runHugeGroup } from './hugeGroup.js';

type Scenario = (params: Record<string, unknown>) => Promise<ScenarioResult>;

const SCENARIOS = {
  fleet: runFleet as Scenario,
  rebuild: runBigRebuild as Scenario,
  backlog: runExportBacklog as Scenario,
  'huge-group': runHugeGroup as Scenario,
  'huge-drain': runHugeDrain as Scenario,
  'archive-cat': runArchiveCat as Scenario,
  'archive-wide': runArchiveWide as Scenario,
} as const satisfies Record<string, Scenario>;

type ScenarioName = keyof typeof SCENARIOS;

export { SCENARIOS };
export type { Scenario, ScenarioName };
