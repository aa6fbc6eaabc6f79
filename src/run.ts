import { acquireLease } from './archive/lease.js';
import { discover } from './aws/inventory.js';
import { MS_PER_MINUTE } from './constants.js';
import type { Deps } from './deps.js';
import { executePlan } from './execute/executePlan.js';
import type { RunResult } from './execute/results.js';
import { cutoffMs } from './plan/exportWindow.js';
import { planRun } from './plan/planRun.js';
import { readPendingRebuilds } from './trim/pendingRebuilds.js';
import type { Config, Plan } from './types.js';

/**
 * The lease renews itself every ttl/5 (72 s) while a run works, and expires by S3's clock: a killed
 * run blocks the next one for 6 minutes at most, and the refusal says how long.
 */
const LEASE_TTL_MS = 6 * MS_PER_MINUTE;

interface RunOutput {
  readonly plan: Plan;
  /** Absent on a dry run. */
  readonly result?: RunResult;
}

/**
 * The whole job: read (discovery, state, unfinished journals) → plan → print or carry out.
 * A dry run stops after the plan and makes read-only calls only; a real run takes the lease first
 * and executes that very plan.
 *
 * @example
 * const { plan, result } = await runCwlTrim(config, deps);
 */
async function runCwlTrim(config: Readonly<Config>, deps: Deps): Promise<RunOutput> {
  const nowMs = deps.clock.now();
  const lease = config.dryRun ? undefined : await acquireLease(deps, config, LEASE_TTL_MS);
  // A lost lease stops every call of the run before it is sent (the lease's deps carry its signal).
  deps = lease?.deps ?? deps;
  try {
    const inventory = await discover(deps, config, cutoffMs(nowMs, config.days));
    const pending = await readPendingRebuilds(deps, config);
    const plan = planRun(inventory, config, nowMs, pending);
    deps.logger.info({ groups: plan.groups.length, totals: plan.totals, dryRun: config.dryRun }, 'plan ready');
    if (config.dryRun) return { plan };
    const result = await executePlan(plan, inventory, config, deps);
    deps.logger.info(
      { outcome: result.outcome, deadlineReached: result.deadlineReached, totals: plan.totals, apiCalls: deps.call.stats.snapshot() },
      'run finished',
    );
    return { plan, result };
  } finally {
    await lease?.release();
  }
}

export { runCwlTrim };
export type { RunOutput };
