/**
 * Contract: the per-group lock on the sandbox and on moto (an implementation nobody here wrote):
 * create-or-fail of the lock stream, the probe read back with its ingestion time, and release.
 */
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, expect, it } from 'vitest';
import { acquireGroupLock } from '../../src/archive/groupLock.js';
import { createClients } from '../../src/aws/clients.js';
import { createDeps } from '../../src/createDeps.js';
import type { Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { configFactory } from '../helpers/factories.js';
import { TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';
import { describeContract } from './targets.js';

const GROUP = '/contract/locked';

describeContract('the per-group lock', (target) => {
  const deps = (runId: string): Deps => {
    const config = configFactory({ bucket: 'unused', endpointUrl: target().endpoint, region: 'us-east-1' });
    return createDeps(config, {
      clients: createClients(config, { credentials: TEST_CREDENTIALS }),
      logger: createLogger({ level: 'silent', runId }),
      runId,
      retry: { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 20 },
    });
  };

  beforeEach(async () => {
    await target().logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  });

  it('one run takes it; another is told who holds it; once released it can be taken again', async () => {
    const a = await acquireGroupLock(deps('runa'), GROUP, { renewEveryMs: 0 });
    expect(a.acquired).toBe(true);
    const b = await acquireGroupLock(deps('runb'), GROUP, { renewEveryMs: 0 });
    expect(b).toMatchObject({
      acquired: false,
      detail: expect.stringMatching(/cwl-trim run runa on .* holds \/contract\/locked/),
    });
    if (!a.acquired) return;
    await a.lock.renew();
    expect(a.lock.signal.aborted).toBe(false);
    await a.lock.release();
    const again = await acquireGroupLock(deps('runb'), GROUP, { renewEveryMs: 0 });
    expect(again.acquired).toBe(true);
    if (again.acquired) await again.lock.release();
  });
});
