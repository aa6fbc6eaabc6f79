/**
 * `cwl-trim demo` end to end, in-process: it must finish, prove that nothing was lost, and leave
 * nothing running.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { JsonReportSchema } from '../../src/report/jsonReport.js';
import { runDemo } from '../../src/demo/runDemo.js';

const NOW = Date.UTC(2026, 10, 21, 12);

/** Resolves to the connection error (the sandbox must be gone), or 'answered'. */
function probe(endpoint: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(endpoint, { method: 'POST', timeout: 2_000 }, (res) => {
      res.resume();
      resolve('answered');
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe('cwl-trim demo', () => {
  it('plans, runs, proves nothing was lost, and stops the sandbox', async () => {
    let out = '';
    let err = '';
    const demo = await runDemo({
      nowMs: NOW,
      write: (t) => {
        out += t;
      },
      warn: (t) => {
        err += t;
      },
    });

    expect(demo.proof.nothingLost).toBe(true);
    expect(demo.proof.total).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    expect(demo.dryRunCalls.calls).toBeGreaterThan(0);
    expect(demo.dryRunCalls.mutating).toBe(0);
    expect(JsonReportSchema.parse(demo.plan).outcome).toBe('planned');
    expect(JsonReportSchema.parse(demo.run)).toMatchObject({
      outcome: 'done',
      totals: { measured: { rebuilt: 1, deleted: 320 } },
    });
    // The untagged group is not selected, the Infrequent Access one is skipped: both untouched.
    const untouched = demo.proof.groups.filter(
      (g) => g.logGroupName === '/aws/lambda/legacy-cron' || g.logGroupName === '/vpc/flow-logs',
    );
    expect(untouched.map((g) => [g.inCloudWatch, g.archived, g.streamsAfter])).toEqual([
      [180, 0, 1],
      [80, 0, 20],
    ]);

    expect(out).toContain('The dry run sent');
    expect(out).toContain(', 0 of which change anything');
    expect(out).toMatch(/Nothing lost: each of the [\d,]+ seeded events is in the archive or still in CloudWatch/);
    expect(out).toContain('scaled ×40 for the demo');
    expect(Math.max(...out.split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(100);
    expect(err).toBe('');
    expect(await probe(demo.endpoint)).toBe('ECONNREFUSED');
  });

  it('is what `cwl-trim demo` runs, exiting 0', async () => {
    let out = '';
    const code = await main(
      ['demo'],
      {},
      {
        stdout: (t) => {
          out += t;
        },
        stderr: () => {},
        demo: { nowMs: NOW },
      },
    );
    expect(code).toBe(0);
    expect(out).toContain('Nothing lost');
  });
});
