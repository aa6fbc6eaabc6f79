/**
 * The archive commands run from the CLI, so their permissions are documented in the README instead of
 * the function's policy: every IAM action their own SDK calls need must be named there.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deriveIamActions } from '../../deploy/iamActions.js';
import { LOCK_GROUP_NAME } from '../../../src/plan/lockState.js';

const ROOT = new URL('../../../', import.meta.url);

describe('archive tools permissions', () => {
  it('names in the README every IAM action the archive commands call; the function may create the lock group only', () => {
    const { actions } = deriveIamActions(fileURLToPath(new URL('src/archiveTools', ROOT)));
    const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
    const section = readme.slice(
      readme.indexOf('**Permissions.** These commands run from the CLI'),
      readme.indexOf('## The report'),
    );
    expect(actions).toContain('logs:CreateLogGroup');
    for (const action of actions) expect(section, action).toContain(`\`${action}\``);
    // restore creates its target group; the function creates no group but its lock group.
    const render = createRequire(import.meta.url)('../../../policies/render.cjs') as {
      renderFunctionPolicy(raw: Record<string, string>): {
        Statement: { Action: string[]; Resource: ({ 'Fn::Sub': string } | string)[] }[];
      };
    };
    const policy = render.renderFunctionPolicy({ bucket: 'b-archive', functionName: 'f', logGroupPrefixes: '/' });
    const creating = policy.Statement.filter((st) => st.Action.includes('logs:CreateLogGroup'));
    expect(creating.flatMap((st) => st.Resource.map((r) => (typeof r === 'string' ? r : r['Fn::Sub'])))).toEqual([
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${LOCK_GROUP_NAME}`,
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${LOCK_GROUP_NAME}:*`,
    ]);
  });
});
