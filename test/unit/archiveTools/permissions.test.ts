/**
 * The archive commands run from the CLI, so their permissions are documented in the README instead of
 * the function's policy: every IAM action their own SDK calls need must be named there.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deriveIamActions } from '../../deploy/iamActions.js';

const ROOT = new URL('../../../', import.meta.url);

describe('archive tools permissions', () => {
  it('names in the README every IAM action the archive commands call, and keeps them out of the function policy', () => {
    const { actions } = deriveIamActions(fileURLToPath(new URL('src/archiveTools', ROOT)));
    const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
    const section = readme.slice(
      readme.indexOf('**Permissions.** These commands run from the CLI'),
      readme.indexOf('## The report'),
    );
    expect(actions).toContain('logs:CreateLogGroup');
    for (const action of actions) expect(section, action).toContain(`\`${action}\``);
    expect(deriveIamActions().actions).not.toContain('logs:CreateLogGroup');
  });
});
