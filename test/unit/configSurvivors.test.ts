/**
 * parseConfig's variable reading in the corners its other tests leave: a variable whose name is the
 * word "undefined" (a shell allows it) must stand in for no setting, and AWS_DEFAULT_REGION stands in
 * for AWS_REGION only.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

const BASE = { DAYS: '30', BUCKET: 'my-archive', LOG_GROUP_PREFIXES: '/aws/lambda/' } as const;

describe('parseConfig: which variable stands in for an unset one', () => {
  it('reads a variable named "undefined" as no setting (only AWS_REGION has a stand-in)', () => {
    const config = parseConfig({ ...BASE, undefined: '9' });
    expect(config).toEqual(parseConfig(BASE));
    expect(config).toMatchObject({ bucketPrefix: 'cwl-archive', quietMinutes: 180, logLevel: 'info' });
  });

  it('still reads AWS_DEFAULT_REGION for AWS_REGION when a variable named "undefined" is set', () => {
    expect(parseConfig({ ...BASE, undefined: '9', AWS_DEFAULT_REGION: 'eu-west-3' }).region).toBe('eu-west-3');
  });
});
