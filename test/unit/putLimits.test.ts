import { describe, expect, it } from 'vitest';
import * as product from '../../src/constants.js';
import { putLimits as sandbox } from '@cwl-trim/sandbox';

// The sandbox's limits are its own (from the AWS docs); the product must agree with them, or a wrong
// product constant would pass every test against an oracle that had moved with it.
describe('PutLogEvents limits: the product agrees with the sandbox', () => {
  it.each([
    ['PUT_MAX_BATCH_BYTES', sandbox.SANDBOX_PUT_MAX_BATCH_BYTES],
    ['PUT_EVENT_OVERHEAD_BYTES', sandbox.SANDBOX_PUT_EVENT_OVERHEAD_BYTES],
    ['PUT_MAX_EVENTS', sandbox.SANDBOX_PUT_MAX_EVENTS],
    ['PUT_MAX_SPAN_MS', sandbox.SANDBOX_PUT_MAX_SPAN_MS],
    ['PUT_MAX_AGE_MS', sandbox.SANDBOX_PUT_MAX_AGE_MS],
    ['PUT_MAX_FUTURE_MS', sandbox.SANDBOX_PUT_MAX_FUTURE_MS],
    ['MS_PER_DAY', sandbox.SANDBOX_MS_PER_DAY],
  ] as const)('%s is the documented value', (name, documented) => {
    expect((product as Record<string, unknown>)[name]).toBe(documented);
  });

  it('keeps one event within a batch (the per-event limit may be 256 KB or 1 MB: the docs have said both)', () => {
    expect(product.PUT_MAX_EVENT_BYTES + product.PUT_EVENT_OVERHEAD_BYTES).toBeLessThanOrEqual(
      sandbox.SANDBOX_PUT_MAX_BATCH_BYTES,
    );
    expect(product.PUT_MAX_EVENT_BYTES).toBeGreaterThanOrEqual(262_144 - 26);
  });

  it('states the documented figures literally', () => {
    expect(sandbox.SANDBOX_PUT_MAX_BATCH_BYTES).toBe(1_048_576);
    expect(sandbox.SANDBOX_PUT_EVENT_OVERHEAD_BYTES).toBe(26);
    expect(sandbox.SANDBOX_PUT_MAX_EVENTS).toBe(10_000);
    expect(sandbox.SANDBOX_PUT_MAX_SPAN_MS).toBe(24 * 3_600_000);
    expect(sandbox.SANDBOX_PUT_MAX_AGE_MS).toBe(14 * 24 * 3_600_000);
    expect(sandbox.SANDBOX_PUT_MAX_FUTURE_MS).toBe(2 * 3_600_000);
  });
});
