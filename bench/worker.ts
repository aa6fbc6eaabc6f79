/**
 * Runs one scenario in a fresh process and sends its result to bench/run.ts over IPC. A fresh
 * process per scenario keeps one scenario's garbage out of the next one's figures, and makes the
 * big rebuild's peak RSS that of cwl-trim alone (the sandbox is yet another process).
 *
 * Usage (by run.ts): node --import tsx bench/worker.ts <scenario> '<params JSON>'
 */
import { SCENARIOS, type ScenarioName } from './scenarios/index.js';

async function main(): Promise<void> {
  const name = process.argv[2] as ScenarioName;
  const params = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  const result = await scenario(params);
  await new Promise<void>((resolve, reject) => {
    process.send?.({ result }, (err: Error | null) => (err ? reject(err) : resolve()));
  });
  process.disconnect?.();
}

main().catch((err: unknown) => {
  process.send?.({ error: err instanceof Error ? err.stack : String(err) });
  console.error(err);
  process.exitCode = 1;
  process.disconnect?.();
});
