/**
 * The packaged CloudFormation template (`npm run package`, offline): the function, its schedule and
 * settings, the optional bucket, and an IAM policy that allows exactly what the code calls.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { SETTINGS } from '../../src/settings.js';
import { deriveIamActions } from './iamActions.js';
import {
  ARTIFACT_PATH,
  TEMPLATE_PATH,
  TEST_PARAMS,
  ensurePackaged,
  packagedTemplate,
  type Template,
} from './packaged.js';
import { readZip } from './unzip.js';
import { LOCK_GROUP_NAME } from '../../src/plan/lockState.js';

interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const render = createRequire(import.meta.url)('../../policies/render.cjs') as {
  renderFunctionPolicy(raw: Record<string, string>): { Statement: Statement[] };
};

/** Logs actions IAM cannot scope to a resource (Service Authorization Reference): they need `*`. */
const NO_RESOURCE_LEVEL = ['logs:DescribeExportTasks', 'logs:DescribeAccountPolicies', 'logs:GetStorageTierPolicy'];
const FUNCTION_NAME = 'cwl-trim-dev';
/** IAM actions of SDK operations newer than cfn-lint's list of actions (W3037 names them unknown). */
const NEWER_THAN_CFN_LINT = ['logs:GetStorageTierPolicy'];

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
/** `{ "Fn::Sub": "arn:…" }` or a plain string → the string. */
const text = (value: unknown): string =>
  typeof value === 'string' ? value : ((value as { 'Fn::Sub'?: string })['Fn::Sub'] ?? JSON.stringify(value));

let template: Template;
beforeAll(async () => {
  await ensurePackaged();
  template = packagedTemplate();
}, 150_000);

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const one = (type: string) => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]![1];
};

/** The statements of every identity policy in the template (the function's role). */
function roleStatements(): Statement[] {
  return ofType('AWS::IAM::Role').flatMap(([, role]) =>
    ((role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    ),
  );
}

describe('the packaged function', () => {
  it('runs the bundle on nodejs22.x for 15 minutes, one invocation at a time, never retried by Lambda', () => {
    const fn = one('AWS::Lambda::Function').Properties!;
    expect(fn).toMatchObject({
      Runtime: 'nodejs22.x',
      Handler: 'dist/handler.handler',
      Timeout: 900,
      MemorySize: 1024,
      ReservedConcurrentExecutions: 1,
      FunctionName: FUNCTION_NAME,
    });
    expect(one('AWS::Lambda::EventInvokeConfig').Properties).toMatchObject({ MaximumRetryAttempts: 0 });
  });

  it('runs on a schedule, daily by default', () => {
    const rule = one('AWS::Events::Rule').Properties!;
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
    expect(text((rule.Targets as { Arn: unknown }[])[0]!.Arn)).toContain('TrimLambdaFunction');
  });

  it('passes every setting to the environment under its variable, and they parse as the CLI would', () => {
    const env = (one('AWS::Lambda::Function').Properties!.Environment as { Variables: Record<string, string> })
      .Variables;
    const expected = Object.values(SETTINGS)
      .map((s) => s.env)
      .filter((name) => !name.startsWith('AWS_'));
    expect(Object.keys(env).sort()).toEqual(expected.sort());
    expect(env).toMatchObject({
      DAYS: '30',
      BUCKET: TEST_PARAMS.bucket,
      BUCKET_PREFIX: 'cwl-archive',
      DRY_RUN: 'false',
      LOG_GROUP_PREFIXES: TEST_PARAMS.logGroupPrefixes,
      EXCLUDE_LOG_GROUP_PREFIXES: TEST_PARAMS.excludeLogGroupPrefixes,
    });
    const config = parseConfig(env);
    expect(config).toMatchObject({
      days: 30,
      bucket: TEST_PARAMS.bucket,
      dryRun: false,
      unmask: true,
      quotaShare: 0.5,
      selection: { names: ['/ops/audit'], prefixes: ['/app/', '/aws/lambda/'], excludePrefixes: ['/app/secret-'] },
    });
  });

  it('ships only the bundle: a small artifact without node_modules', () => {
    expect(
      readZip(ARTIFACT_PATH)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['dist/handler.js', 'dist/package.json']);
    expect(statSync(ARTIFACT_PATH).size).toBeLessThan(1024 * 1024);
  });
});

describe('the function IAM policy', () => {
  it('allows exactly the actions the code calls, derived from the code', () => {
    const { actions } = deriveIamActions();
    const allowed = new Set(
      roleStatements()
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => list(s.Action)),
    );
    expect([...allowed].sort()).toEqual(actions);
    const denied = roleStatements()
      .filter((s) => s.Effect === 'Deny')
      .flatMap((s) => list(s.Action));
    expect(denied.filter((a) => !actions.includes(a))).toEqual([]);
  });

  it('is the policies/ template rendered for these settings, not a copy', () => {
    const rendered = render.renderFunctionPolicy({
      ...TEST_PARAMS,
      bucketPrefix: 'cwl-archive',
      functionName: FUNCTION_NAME,
    });
    expect(roleStatements()).toEqual(rendered.Statement);
  });

  it('uses no wildcard action anywhere, and * resources only where IAM offers no resource-level permission', () => {
    for (const s of roleStatements())
      expect(
        list(s.Action).filter((a) => a.includes('*')),
        s.Sid,
      ).toEqual([]);
    const star = roleStatements().filter((s) => list(s.Resource).includes('*'));
    expect(star.flatMap((s) => list(s.Action))).toEqual(NO_RESOURCE_LEVEL);
    // Resource-based policies too (the framework's deployment bucket denies s3:* without TLS: a Deny).
    const docs = ofType('AWS::S3::BucketPolicy').flatMap(
      ([, r]) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(docs.filter((s) => s.Effect === 'Allow' && list(s.Action).some((a) => a.includes('*')))).toEqual([]);
  });

  it('scopes logs to the selected groups, S3 to the bucket and prefix, and Invoke to the function itself', () => {
    const arns = (action: string) =>
      roleStatements()
        .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
        .flatMap((s) => list(s.Resource).map(text));
    const group = 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:';
    const selected = [`${group}/ops/audit`, `${group}/ops/audit:*`, `${group}/app/*`, `${group}/aws/lambda/*`];
    const lockGroup = [`${group}${LOCK_GROUP_NAME}`, `${group}${LOCK_GROUP_NAME}:*`];
    expect(arns('logs:DeleteLogStream')).toEqual([...selected, ...lockGroup]);
    expect(arns('logs:Unmask')).toEqual(selected);
    expect(arns('logs:CreateLogGroup')).toEqual(lockGroup);
    expect(arns('logs:DescribeLogGroups')).toEqual([`${group}*`]);
    expect(arns('logs:PutLogEvents')).toContain(`${group}/aws/lambda/${FUNCTION_NAME}:*`);
    expect(arns('s3:ListBucket')).toEqual([`arn:\${AWS::Partition}:s3:::${TEST_PARAMS.bucket}`]);
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
      expect(arns(action)).toEqual([`arn:\${AWS::Partition}:s3:::${TEST_PARAMS.bucket}/cwl-archive/*`]);
    }
    expect(arns('lambda:InvokeFunction')).toEqual([
      `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${FUNCTION_NAME}`,
    ]);
    const deny = roleStatements().find((s) => s.Effect === 'Deny');
    expect(list(deny!.Resource).map(text)).toEqual([`${group}/app/secret-*`]);
  });
});

describe('the archive bucket (createBucket=true)', () => {
  it('blocks public access, encrypts, keeps the archive on stack removal, and moves exports to Glacier', () => {
    const bucket = template.Resources.ArchiveBucket!;
    expect(bucket).toMatchObject({
      Condition: 'CreateArchiveBucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(bucket.Properties).toMatchObject({
      BucketName: TEST_PARAMS.bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(JSON.stringify(bucket.Properties!.LifecycleConfiguration)).toContain('"Prefix":"cwl-archive/exports/"');
    expect(template.Parameters).toMatchObject({
      CreateArchiveBucket: { Default: 'true' },
      GlacierAfterDays: { Default: '90' },
      GlacierStorageClass: { Default: 'GLACIER_IR' },
    });
  });

  it('lets only CloudWatch Logs of this account check the ACL and write exports under the prefix', () => {
    const policy = template.Resources.ArchiveBucketPolicy!;
    const statements = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements.map((s) => [s.Action, text(s.Resource)])).toEqual([
      ['s3:GetBucketAcl', `arn:\${AWS::Partition}:s3:::${TEST_PARAMS.bucket}`],
      ['s3:PutObject', `arn:\${AWS::Partition}:s3:::${TEST_PARAMS.bucket}/cwl-archive/exports/*`],
    ]);
    for (const s of statements) {
      expect(text((s.Principal as { Service: unknown }).Service)).toBe('logs.${AWS::Region}.${AWS::URLSuffix}');
      expect(text(s.Condition!.StringEquals!['aws:SourceAccount'])).toBe('${AWS::AccountId}');
      expect(text(s.Condition!.ArnLike!['aws:SourceArn'])).toBe(
        'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*',
      );
    }
    expect(statements[1]!.Condition!.StringEquals!['s3:x-amz-acl']).toBe('bucket-owner-full-control');
  });
});

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const hasCfnLint = cfnLint.status === 0;

describe.skipIf(!hasCfnLint)(`cfn-lint ${hasCfnLint ? cfnLint.stdout.trim() : '(not on the PATH: skipped)'}`, () => {
  it('finds nothing wrong with the template', () => {
    // W3005: the framework adds DependsOn for the role the function already references with GetAtt.
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', TEMPLATE_PATH], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    // W3037 for an IAM action newer than cfn-lint's action list (and its location line) is not a defect.
    const findings = `${lint.stdout}${lint.stderr}`.split('\n\n');
    const kept = findings.filter(
      (finding) =>
        !NEWER_THAN_CFN_LINT.some((a) => finding.startsWith(`W3037 '${a.split(':')[1]!.toLowerCase()}' is not one of`)),
    );
    expect(kept.join('\n\n').trim()).toBe('');
    // 4: warnings only (the ignored W3037).
    expect(lint.status).toBe(kept.length < findings.length ? 4 : 0);
  }, 60_000);
});
