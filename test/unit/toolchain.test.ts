/** The tests run on the Node the Lambda runs (nodejs22.x): the node@22 devDependency is first on npm's PATH. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  dependencies?: Record<string, string>;
};

describe('toolchain', () => {
  it('runs the tests on Node 22, as deployed', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(22);
    expect(pkg.devDependencies.node).toMatch(/^22\./);
  });

  it('says in engines what the bundled CLI supports, and has no runtime dependency to install', () => {
    expect(pkg.engines.node).toBe('>=22');
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});
