/**
 * The layer check that `npm test` runs (.dependency-cruiser.cjs): it is green on the product, and it
 * fails on an upward import (a fixture tree with one), so a green check means something.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const ruleSet = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as {
  forbidden: unknown[];
  options: Record<string, unknown>;
};

async function violations(baseDir: string, files: string[]): Promise<string[]> {
  const result = await cruise(files, {
    ruleSet: { forbidden: ruleSet.forbidden } as never,
    tsPreCompilationDeps: true,
    baseDir,
    exclude: { path: 'node_modules' },
    validate: true,
  });
  const output = result.output as { summary: { violations: { from: string; to: string; rule: { name: string } }[] } };
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('the layer check', () => {
  it('refuses an upward import, the product using the sandbox and the sandbox using the product, and lets downward ones pass', async () => {
    expect((await violations(join(process.cwd(), 'test', 'fixtures', 'layers'), ['src', 'sandbox'])).sort()).toEqual([
      'no-upward-from-plan: src/plan/upward.ts → src/run.ts',
      'product-imports-no-sandbox: src/execute/usesSandbox.ts → @cwl-trim/sandbox',
      'sandbox-imports-no-product: sandbox/src/peeks.ts → src/plan/pick.ts',
    ]);
  });

  it('finds no upward import in the product', async () => {
    expect(await violations(process.cwd(), ['src', 'sandbox'])).toEqual([]);
  });
});
