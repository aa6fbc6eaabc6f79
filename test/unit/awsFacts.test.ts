/**
 * The sandbox's AWS facts are its own (src/sandbox/awsFacts.ts, from the AWS docs); the product must
 * agree with them, or a wrong product constant would pass every test against an oracle moved with it.
 */
import { describe, expect, it } from 'vitest';
import * as product from '../../src/constants.js';
import { awsFacts as facts } from '@cwl-trim/sandbox';

describe('AWS facts: the product agrees with the sandbox', () => {
  it('pages and reads', () => {
    expect(product.DESCRIBE_PAGE_LIMIT).toBe(facts.SANDBOX_DESCRIBE_PAGE_LIMIT);
    expect(product.GET_MAX_EVENTS).toBe(facts.SANDBOX_GET_MAX_EVENTS);
    expect(product.GET_MAX_PAGE_BYTES).toBe(facts.SANDBOX_GET_MAX_PAGE_BYTES);
    expect(product.EXPORT_WRITE_TEST_OBJECT).toBe(facts.SANDBOX_EXPORT_WRITE_TEST_OBJECT);
  });

  it('the values PutRetentionPolicy takes, the classes and the export statuses', () => {
    expect([...product.ALLOWED_RETENTION_DAYS]).toEqual([...facts.SANDBOX_RETENTION_DAYS]);
    expect(product.LogGroupClass).toEqual(facts.SandboxLogGroupClass);
    expect(product.ExportStatus).toEqual(facts.SandboxExportStatus);
  });

  it('the default quotas the product budgets are the ones the sandbox throttles at', () => {
    expect(product.DEFAULT_QUOTAS_TPS).toEqual(facts.SANDBOX_QUOTAS_TPS);
  });

  it('states the documented figures literally', () => {
    expect(facts.SANDBOX_DESCRIBE_PAGE_LIMIT).toBe(50);
    expect(facts.SANDBOX_GET_MAX_EVENTS).toBe(10_000);
    expect(facts.SANDBOX_GET_MAX_PAGE_BYTES).toBe(1_048_576);
    expect(facts.SANDBOX_RETENTION_DAYS).toHaveLength(22);
    expect(facts.SANDBOX_QUOTAS_TPS.DeleteLogStream).toBe(15);
    expect(facts.SANDBOX_QUOTAS_TPS.DescribeLogStreams).toBe(25);
  });
});
