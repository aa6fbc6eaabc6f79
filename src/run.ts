import { acquireLease } from './archive/lease.js';
import { MS_PER_MINUTE } from './constants.js';
import type { Deps } from './deps.js';
import { runGroups } from './execute/groupWalk.js';
import { resumeRebuilds } from './execute/resumeRebuilds.js';
import { runOutcome, type RunOutput, type RunResult } from './plan/results.js';
import { planOf } from './plan/planRun.js';
import { readPendingRebuilds, selectsGroup } from './trim/pendingRebuilds.js';
import type { Config } from './types.js';

/**
 * The lease renews itself every ttl/5 (72 s) while a run works, and expires by S3's clock: a killed
 * run blocks the next one for 6 minutes at most, and the refusal says how long.
 */
const LEASE_TTL_MS = 6 * MS_PER_MINUTE;

/**
 * The whole job: the rebuilds earlier runs left unfinished first, then the selected groups as a
 * pipeline, page by page (see {@link runGroups}). A dry run makes read-only calls only and returns
 * the plan; a real run takes the lease first and returns the plan it carried out with its result.
 * Memory does not grow with the number of groups or streams: plans and results are bounded summaries.
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
    const pending = await readPendingRebuilds(deps, config);
    const startedAtMs = deps.clock.now();
    // A pending rebuild of a group the selection leaves out is not started (one already deleted is finished).
    const resumedRebuilds = config.dryRun
      ? []
      : await resumeRebuilds(deps, config, pending, (name) => selectsGroup(config.selection, name));
    const walked = await runGroups(deps, config, { nowMs, pending });
    const plan = planOf(walked.groups, config, nowMs, pending);
    deps.logger.info({ groups: plan.groups.length, totals: plan.totals, dryRun: config.dryRun }, 'plan ready');
    if (config.dryRun) return { plan };
    const base = {
      startedAtMs,
      finishedAtMs: deps.clock.now(),
      resumedRebuilds,
      groups: walked.results,
      deadlineReached: walked.walkLeft || walked.outOfTime || deps.deadline.remainingMs() <= 0,
      ...(walked.walkLeft ? { walkLeft: true } : {}),
    };
    const result: RunResult = { ...base, outcome: runOutcome(base) };
    deps.logger.info(
      {
        outcome: result.outcome,
        deadlineReached: result.deadlineReached,
        totals: plan.totals,
        apiCalls: deps.call.stats.snapshot(),
      },
      'run finished',
    );
    return { plan, result };
  } finally {
    await lease?.release();
  }
}

export { runCwlTrim };
