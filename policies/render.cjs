'use strict';
/**
 * Renders the policy templates of this folder for a deployment. serverless.yml reads them through
 * `${file(./policies/render.cjs):functionPolicyStatements}` and `…:bucketPolicyDocument`, so the deployed
 * policies are these files, never copies of them.
 *
 * Placeholders in the templates:
 * - `${Bucket}`, `${BucketPrefix}`, `${FunctionName}`: the deployment's settings;
 * - `${LockGroup}`: the log group of every run's group locks;
 * - `${LogGroup}`: one ARN per selection pattern (exact names, name prefixes, or `*` for every group when
 *   the selection is `/` or a tag only); `${ExcludedLogGroup}`: one per excluded prefix;
 * - `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}`, `${AWS::URLSuffix}`: left for
 *   CloudFormation (the string becomes an `Fn::Sub`), so packaging needs no AWS credentials.
 * A statement whose placeholder expands to nothing (no excluded prefix) is dropped, and so is the
 * `logs:Unmask` statement unless the `unmask` setting is on.
 *
 * CommonJS (.cjs): the Serverless Framework loads `${file()}` sources with require().
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The archive prefix when the setting is empty; the same default as src/config.ts (a test checks it). */
const DEFAULT_BUCKET_PREFIX = 'cwl-archive';
/** As a prefix, selects every log group on purpose (src/aws/inventory.ts). */
const ALL_GROUPS_PREFIX = '/';
const UNMASK_SID = 'UnmaskSelectedLogGroups';
/** Every run's group locks live here (src/plan/lockState.ts, LOCK_GROUP_NAME; a test checks they agree). */
const LOCK_GROUP_NAME = '/cwl-trim/locks';
const TRUTHY = new Set(['true', '1', 'yes']);

const list = (value) => [...new Set(String(value ?? '').split(',').map((item) => item.trim()).filter(Boolean))];

/**
 * The settings the policies depend on, normalized the way src/config.ts reads them.
 * @param {Record<string, unknown>} raw - serverless.yml's `custom.cwlTrim`, or plain values in tests.
 */
function policySettings(raw) {
  const bucket = String(raw.bucket ?? '').trim();
  if (!bucket) throw new Error('cwl-trim: set the archive bucket, e.g. --param="bucket=my-archive"');
  const functionName = String(raw.functionName ?? '').trim();
  if (!functionName) throw new Error('cwl-trim: custom.cwlTrim.functionName is empty');
  const names = list(raw.logGroupNames);
  const prefixes = list(raw.logGroupPrefixes);
  const tag = String(raw.logGroupTag ?? '').trim();
  if (names.length === 0 && prefixes.length === 0 && !tag) {
    throw new Error('cwl-trim: select log groups, e.g. --param="logGroupPrefixes=/aws/lambda/" '
      + '(or logGroupNames, or logGroupTag=Key=Value; logGroupPrefixes=/ selects every group on purpose)');
  }
  const excludePrefixes = list(raw.excludeLogGroupPrefixes);
  const deniesLocks = excludePrefixes.find((p) => LOCK_GROUP_NAME.startsWith(p));
  if (deniesLocks) {
    throw new Error(`cwl-trim: excludeLogGroupPrefixes=${deniesLocks} would deny the lock group ${LOCK_GROUP_NAME} `
      + 'that every run takes its group locks in (it is never trimmed anyway); exclude a longer prefix');
  }
  return {
    bucket,
    bucketPrefix: String(raw.bucketPrefix ?? '').trim().replace(/^\/+|\/+$/g, '') || DEFAULT_BUCKET_PREFIX,
    functionName,
    names,
    prefixes,
    tag,
    excludePrefixes,
    unmask: TRUTHY.has(String(raw.unmask ?? '').trim().toLowerCase()),
  };
}

/**
 * The `log-group:` ARN suffixes the selection can touch. A name gets `name` (ListTagsForResource takes the
 * ARN without `:*`) and `name:*` (its streams and every other action); a prefix gets `prefix*`. When
 * discovery lists every group (`/`, or a tag alone), so must the policy.
 */
function logGroupPatterns(s) {
  const everything = s.prefixes.includes(ALL_GROUPS_PREFIX) || (s.names.length === 0 && s.prefixes.length === 0);
  if (everything) return ['*'];
  return [...new Set([...s.names.flatMap((n) => [n, `${n}:*`]), ...s.prefixes.map((p) => `${p}*`)])];
}

/** Replaces the deployment's placeholders in one string; returns one string per expansion. */
function expand(text, values) {
  let out = [text];
  for (const [name, replacements] of Object.entries(values)) {
    const token = `\${${name}}`;
    out = out.flatMap((t) => (t.includes(token) ? replacements.map((r) => t.split(token).join(r)) : [t]));
  }
  for (const t of out) {
    const unknown = t.match(/\$\{(?!AWS::)[^}]*\}/);
    if (unknown) throw new Error(`cwl-trim: unknown placeholder ${unknown[0]} in a policy template`);
  }
  return out.map((t) => (t.includes('${AWS::') ? { 'Fn::Sub': t } : t));
}

/** Renders any JSON value; a string that expands to several values is only allowed inside an array. */
function renderValue(value, values) {
  if (typeof value === 'string') {
    const rendered = expand(value, values);
    if (rendered.length !== 1) throw new Error(`cwl-trim: "${value}" expands to ${rendered.length} values outside a list`);
    return rendered[0];
  }
  if (Array.isArray(value)) return value.flatMap((item) => (typeof item === 'string' ? expand(item, values) : [renderValue(item, values)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, values)]));
  }
  return value;
}

function template(file) {
  return JSON.parse(readFileSync(join(__dirname, file), 'utf8'));
}

function placeholderValues(s) {
  return {
    Bucket: [s.bucket],
    BucketPrefix: [s.bucketPrefix],
    FunctionName: [s.functionName],
    LogGroup: logGroupPatterns(s),
    ExcludedLogGroup: s.excludePrefixes.map((p) => `${p}*`),
    LockGroup: [LOCK_GROUP_NAME],
  };
}

/**
 * The function's policy statements for these settings.
 * @example renderFunctionPolicy({ bucket: 'my-archive', functionName: 'cwl-trim-dev', logGroupPrefixes: '/aws/lambda/' })
 */
function renderFunctionPolicy(raw) {
  const s = policySettings(raw);
  const values = placeholderValues(s);
  const statements = template('function-policy.json').Statement
    .filter((st) => st.Sid !== UNMASK_SID || s.unmask)
    .map((st) => renderValue(st, values))
    .filter((st) => (Array.isArray(st.Resource) ? st.Resource.length > 0 : true));
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The archive bucket's policy (CloudWatch Logs may check the ACL and write exports under the prefix).
 * @example renderBucketPolicy({ bucket: 'my-archive', bucketPrefix: 'cwl-archive' })
 */
function renderBucketPolicy(raw) {
  const bucket = String(raw.bucket ?? '').trim();
  if (!bucket) throw new Error('cwl-trim: set the archive bucket, e.g. --param="bucket=my-archive"');
  const bucketPrefix = String(raw.bucketPrefix ?? '').trim().replace(/^\/+|\/+$/g, '') || DEFAULT_BUCKET_PREFIX;
  return renderValue(template('bucket-policy.json'), { Bucket: [bucket], BucketPrefix: [bucketPrefix] });
}

/** serverless.yml's settings block, resolved by the framework. */
async function customSettings(resolveVariable) {
  return resolveVariable('self:custom.cwlTrim');
}

/** `${file(./policies/render.cjs):functionPolicyStatements}` */
async function functionPolicyStatements({ resolveVariable }) {
  return renderFunctionPolicy(await customSettings(resolveVariable)).Statement;
}

/** `${file(./policies/render.cjs):bucketPolicyDocument}` */
async function bucketPolicyDocument({ resolveVariable }) {
  return renderBucketPolicy(await customSettings(resolveVariable));
}

module.exports = {
  DEFAULT_BUCKET_PREFIX,
  LOCK_GROUP_NAME,
  bucketPolicyDocument,
  functionPolicyStatements,
  logGroupPatterns,
  policySettings,
  renderBucketPolicy,
  renderFunctionPolicy,
};
