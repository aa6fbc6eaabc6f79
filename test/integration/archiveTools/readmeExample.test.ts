/**
 * The README's "last month's events for an incident" example is real: the same command, over an
 * archive a real run made (DAYS=7, the month archived and trimmed), prints exactly the lines the README
 * shows, sorted across streams and objects, while CloudWatch no longer holds them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Sandbox, SeedEvent } from '@cwl-trim/sandbox';
import { archiveCli, linesOf, shuffleExports, trimRun } from '../../helpers/archiveCli.js';
import { useRunSandbox } from '../../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox(
  (s) => {
    sandbox = s;
  },
  { exportChunkEvents: 25 },
);

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const PROMPT = '$ cwl-trim archive cat --bucket my-archive --log-group /aws/lambda/orders ';

/** The example's command line (after `cwl-trim archive`, without the bucket) and the output lines under it. */
function readmeExample(): { argv: string[]; output: string[] } {
  const at = README.indexOf(PROMPT);
  expect(at, 'the README shows the archive cat example').toBeGreaterThan(0);
  const [command, ...rest] = README.slice(at, README.indexOf('\n```', at)).split('\n');
  const argv = command!.slice('$ cwl-trim archive '.length).split(' ');
  argv.splice(argv.indexOf('--bucket'), 2);
  return { argv, output: rest };
}

const GROUP = '/aws/lambda/orders';
const minute = 60_000;
const at = (h: number, m: number, ms = 0): number => Date.UTC(2026, 10, 12, h, m) + ms;

/** Two Lambda instances' streams, a line a minute from 13:50 to 14:40, errors now and then (some outside the incident's half hour). */
function seedIncident(): void {
  sandbox.seedGroup(GROUP, { creationTimeMs: Date.UTC(2026, 10, 1) });
  const stream = (name: string, offsetMs: number, errorMinutes: readonly number[]): void => {
    const events: SeedEvent[] = [];
    for (let m = -10; m <= 40; m += 1) {
      const orderId = 8200 + m;
      const message = errorMinutes.includes(m)
        ? `ERROR PaymentGatewayTimeout orderId=${orderId} after 3000 ms`
        : `INFO order ${orderId} paid in 41 ms`;
      events.push({ timestamp: at(14, 0) + m * minute + offsetMs, message });
    }
    sandbox.seedStream(GROUP, name, events);
  };
  stream('2026/11/12/[$LATEST]4f1c9a', 0, [-5, 5, 10, 15, 30]);
  stream('2026/11/12/[$LATEST]b07e22', 1_111, [7, 12, 17, 31]);
}

describe("the README's archive cat example", () => {
  it('prints exactly the output the README shows, from an archive made by a real run', async () => {
    sandbox.clock.set(Date.UTC(2026, 11, 1, 8));
    seedIncident();
    await trimRun(sandbox);
    await shuffleExports(sandbox);
    // Those events left CloudWatch: only the archive has them.
    expect(sandbox.streamNames(GROUP)).toEqual([]);

    const { argv, output } = readmeExample();
    const out = await archiveCli(sandbox, argv);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(output.length).toBeGreaterThan(3);
    expect(linesOf(out.stdout)).toEqual(output);
  });
});
