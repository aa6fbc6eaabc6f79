/**
 * policies/render.cjs, which serverless.yml reads the policies through: how each selection becomes
 * resources, and what it refuses to render.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/settings.js';
import { deriveIamActions } from './iamActions.js';
import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: ({ 'Fn::Sub': string } | string)[];
}

const render = createRequire(import.meta.url)('../../policies/render.cjs') as {
  DEFAULT_BUCKET_PREFIX: string;
  LOCK_GROUP_NAME: string;
  renderFunctionPolicy(raw: Record<string, string>): { Statement: Statement[] };
  renderBucketPolicy(raw: Record<string, string>): { Statement: { Resource: { 'Fn::Sub': string } }[] };
};

const BASE = { bucket: 'my-archive', functionName: 'cwl-trim-prod' };
const GROUP = 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:';

const statement = (raw: Record<string, string>, sid: string): Statement | undefined =>
  render.renderFunctionPolicy({ ...BASE, ...raw }).Statement.find((s) => s.Sid === sid);
const groupResources = (raw: Record<string, string>): string[] =>
  statement(raw, 'ArchiveAndTrimSelectedLogGroups')!.Resource.map((r) => (typeof r === 'string' ? r : r['Fn::Sub']));

describe('policies/render.cjs', () => {
  it('scopes the log group actions to exact names and prefixes', () => {
    expect(groupResources({ logGroupNames: '/a/one, /a/two', logGroupPrefixes: '/b/' })).toEqual([
      `${GROUP}/a/one`,
      `${GROUP}/a/one:*`,
      `${GROUP}/a/two`,
      `${GROUP}/a/two:*`,
      `${GROUP}/b/*`,
    ]);
  });

  it('grants every group when discovery lists every group: the "/" prefix, or a tag alone', () => {
    expect(groupResources({ logGroupPrefixes: '/' })).toEqual([`${GROUP}*`]);
    expect(groupResources({ logGroupTag: 'AutoExport=True' })).toEqual([`${GROUP}*`]);
    expect(groupResources({ logGroupTag: 'AutoExport=True', logGroupPrefixes: '/b/' })).toEqual([`${GROUP}/b/*`]);
  });

  it('grants logs:Unmask only when the unmask setting is on', () => {
    expect(statement({ logGroupPrefixes: '/b/' }, 'UnmaskSelectedLogGroups')).toBeUndefined();
    expect(statement({ logGroupPrefixes: '/b/', unmask: 'TRUE' }, 'UnmaskSelectedLogGroups')?.Action).toEqual([
      'logs:Unmask',
    ]);
    const allowed = render
      .renderFunctionPolicy({ ...BASE, logGroupPrefixes: '/b/' })
      .Statement.filter((s) => s.Effect === 'Allow')
      .flatMap((s) => s.Action);
    expect([...new Set(allowed)].sort()).toEqual(deriveIamActions().actions.filter((a) => a !== 'logs:Unmask'));
  });

  it('denies the excluded prefixes, and leaves the deny out when nothing is excluded', () => {
    expect(
      statement({ logGroupPrefixes: '/b/', excludeLogGroupPrefixes: '/b/prod-' }, 'NeverTouchExcludedLogGroups')
        ?.Resource,
    ).toEqual([{ 'Fn::Sub': `${GROUP}/b/prod-*` }]);
    expect(statement({ logGroupPrefixes: '/b/' }, 'NeverTouchExcludedLogGroups')).toBeUndefined();
  });

  it('grants the lock group to every selection, and refuses an exclusion that would deny it', () => {
    expect(render.LOCK_GROUP_NAME).toBe(LOCK_GROUP_NAME);
    const locks = statement({ logGroupNames: '/b/one' }, 'HoldGroupLocks')!;
    expect(locks.Resource).toEqual([
      { 'Fn::Sub': `${GROUP}${LOCK_GROUP_NAME}` },
      { 'Fn::Sub': `${GROUP}${LOCK_GROUP_NAME}:*` },
    ]);
    expect(locks.Action).toContain('logs:CreateLogGroup');
    expect(() =>
      render.renderFunctionPolicy({ ...BASE, logGroupPrefixes: '/', excludeLogGroupPrefixes: '/cwl-' }),
    ).toThrow(/excludeLogGroupPrefixes=\/cwl- would deny the lock group \/cwl-trim\/locks/);
    expect(
      statement({ logGroupPrefixes: '/', excludeLogGroupPrefixes: '/cwl-trim/locks-old' }, 'HoldGroupLocks'),
    ).toBeDefined();
  });

  it('refuses to render without a bucket or a group selection', () => {
    expect(() => render.renderFunctionPolicy({ functionName: 'f', logGroupPrefixes: '/b/' })).toThrow(
      /bucket=my-archive/,
    );
    expect(() => render.renderFunctionPolicy({ ...BASE })).toThrow(/select log groups/);
  });

  it('uses the same default archive prefix as the settings, and trims slashes as they do', () => {
    expect(render.DEFAULT_BUCKET_PREFIX).toBe(SETTINGS.bucketPrefix.default);
    const resource = (prefix: string) =>
      render.renderBucketPolicy({ bucket: 'my-archive', bucketPrefix: prefix }).Statement[1]!.Resource['Fn::Sub'];
    expect(resource('')).toBe('arn:${AWS::Partition}:s3:::my-archive/cwl-archive/exports/*');
    expect(resource('/logs/archive/')).toBe('arn:${AWS::Partition}:s3:::my-archive/logs/archive/exports/*');
  });
});
