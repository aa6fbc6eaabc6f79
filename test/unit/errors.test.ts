/**
 * The error hierarchy is all used: every code of the table is raised somewhere in the product, and
 * every concrete error class is thrown somewhere (a class or code nobody raises is dead weight that
 * readers would still have to handle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors.js';
import { CwlTrimError, ERROR_CODES, LeaseHeldError, describeError } from '../../src/errors.js';

const productFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'sandbox'
        ? []
        : productFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
const product = productFiles('src')
  .filter((f) => f !== join('src', 'errors.ts'))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');
const ownSource = readFileSync(join('src', 'errors.ts'), 'utf8');

describe('errors', () => {
  it('raises every code of the table somewhere in the product', () => {
    const unused = Object.keys(ERROR_CODES).filter(
      (code) => !product.includes(`'${code}'`) && !ownSource.includes(`'${code}'`),
    );
    expect(unused).toEqual([]);
  });

  it('throws every concrete error class somewhere in the product', () => {
    const parents = new Set(['CwlTrimError', 'DurableStateError']);
    const classes = Object.entries(errors).filter(
      ([name, v]) => typeof v === 'function' && /^[A-Z]/.test(name) && !parents.has(name),
    );
    expect(classes.length).toBeGreaterThan(5);
    expect(classes.map(([name]) => name).filter((name) => !product.includes(`new ${name}(`))).toEqual([]);
  });

  it('says our errors by code and the others by name', () => {
    expect(describeError(new LeaseHeldError('held by run ab12'))).toBe('LEASE_HELD: held by run ab12');
    expect(describeError(new TypeError('x is not a function'))).toBe('TypeError: x is not a function');
    expect(describeError('plain')).toBe('plain');
    expect(new LeaseHeldError('x')).toBeInstanceOf(CwlTrimError);
  });
});
