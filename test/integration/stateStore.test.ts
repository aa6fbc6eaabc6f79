/** A group's archive state in S3, through its public functions against the sandbox. */
import { describe, expect, it } from 'vitest';
import { loadGroupState, saveGroupState } from '../../src/archive/stateStore.js';
import type { Sandbox } from '@cwl-trim/sandbox';
import { testConfig, testDeps } from '../helpers/runHarness.js';
import { GROUP, useRunSandbox } from '../helpers/scenario.js';

let sandbox: Sandbox;
useRunSandbox((s) => {
  sandbox = s;
});

describe('group state', () => {
  it('starts a group never archived with no watermark, no window and no version', async () => {
    const config = testConfig(sandbox);
    expect(await loadGroupState(testDeps(sandbox, config), config, GROUP)).toEqual({
      state: { logGroupName: GROUP, windows: [] },
    });
  });

  it('reads back what was saved, with the version the next write is conditional on', async () => {
    const config = testConfig(sandbox);
    const deps = testDeps(sandbox, config);
    const ref = await loadGroupState(deps, config, GROUP);
    const next = { logGroupName: GROUP, windows: [], archivedThroughMs: 1_000 };
    await saveGroupState(deps, config, ref, next);
    expect(ref.state).toEqual(next);
    expect(ref.etag).toEqual(expect.any(String));
    expect(await loadGroupState(deps, config, GROUP)).toEqual({ state: next, etag: ref.etag });
  });
});
