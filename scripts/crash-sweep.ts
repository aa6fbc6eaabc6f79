/**
 * `npm run crash-sweep [-- --from N --to M --phase before|after|both]`: kills the real CLI at every
 * mutating call of a run with a rebuild (before the call takes effect, and after it took effect but
 * before the answer arrived), runs it again to completion, and checks every event: none lost, none
 * twice in CloudWatch, every old one archived once. Prints one line per point and, last,
 * `crash points: N passed, N failed`. test/integration/crashCli.test.ts runs a few of these points.
 */
import { removeStagedPackage } from '../test/helpers/bundle.js';
import { eventDifferences, removeDeadRunsLease, runCli, startCrashWorld } from '../test/helpers/cliCrash.js';
import type { StallPhase } from '@cwl-trim/sandbox';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};

async function referenceCalls(): Promise<string[]> {
  const world = await startCrashWorld();
  try {
    const run = await runCli(world);
    if (run.code !== 0) throw new Error(`the uninterrupted run exited ${run.code}: ${run.stderr.slice(-2000)}`);
    const problems = eventDifferences(world);
    if (problems.length > 0) throw new Error(`the uninterrupted run broke the invariant: ${problems.join('; ')}`);
    return world.sandbox.mutatingCalls().map((c) => c.operation);
  } finally {
    await world.sandbox.stop();
  }
}

async function crashAt(nth: number, phase: StallPhase): Promise<string[]> {
  const world = await startCrashWorld();
  try {
    const killed = await runCli(world, { nth, phase });
    if (!killed.killedAt) return [`the run ended (exit ${killed.code}) before mutating call ${nth}`];
    await removeDeadRunsLease(world.sandbox);
    const again = await runCli(world);
    const problems = eventDifferences(world);
    if (again.code !== 0)
      problems.unshift(`the second run exited ${again.code}: ${again.stderr.split('\n').slice(-5).join(' | ')}`);
    return problems;
  } finally {
    await world.sandbox.stop();
  }
}

const operations = await referenceCalls();
const from = Number(arg('from') ?? 1);
const to = Math.min(Number(arg('to') ?? operations.length), operations.length);
const phaseArg = arg('phase') ?? 'both';
const phases: StallPhase[] = phaseArg === 'both' ? ['before', 'after'] : [phaseArg as StallPhase];
console.log(
  `an uninterrupted run makes ${operations.length} mutating calls; killing at ${from}..${to} (${phases.join(', ')})`,
);
let passed = 0;
let failed = 0;
for (let nth = from; nth <= to; nth += 1) {
  for (const phase of phases) {
    const problems = await crashAt(nth, phase);
    const label = `#${String(nth).padStart(3)} ${phase.padEnd(6)} ${operations[nth - 1]}`;
    if (problems.length === 0) {
      passed += 1;
      console.log(`ok   ${label}`);
    } else {
      failed += 1;
      console.log(`FAIL ${label}: ${problems.join('; ')}`);
    }
  }
}
removeStagedPackage();
console.log(`crash points: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
