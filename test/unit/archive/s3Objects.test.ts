/**
 * How src/archive/s3Objects.ts reads and writes cwl-trim's durable objects, against a fake S3 client
 * that answers each command as a test tells it: which S3 errors mean "absent", which mean "someone
 * else wrote it", and the errors an operator reads when an object is damaged or unreadable.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCallStats } from '../../../src/aws/callAws.js';
import { createLimiters } from '../../../src/aws/limiters.js';
import {
  getBytes,
  getValidated,
  listObjectPages,
  putJson,
  putText,
  type S3Deps,
} from '../../../src/archive/s3Objects.js';
import { StateConflictError, StateCorruptError, StateUnreadableError } from '../../../src/errors.js';

const BUCKET = 'archive';

interface Sent {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** An S3 client whose every call `answer` handles; the commands sent are kept in order. */
function fakeS3(answer: (sent: Sent) => unknown) {
  const sent: Sent[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const call = { command: command.constructor.name, input: command.input };
    sent.push(call);
    return answer(call);
  };
  const deps = {
    clients: { s3: { send } },
    call: { limiters: createLimiters({ quotaShare: 1 }), stats: createCallStats() },
  } as unknown as S3Deps;
  return { deps, sent };
}

/** An S3 service error as the SDK throws it (not retryable: callAws rethrows it at once). */
const s3Error = (name: string, status: number): Error =>
  Object.assign(new Error(`${name} (${status})`), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

const refusing = (err: Error) => fakeS3(() => Promise.reject(err));

const body = (bytes: Buffer) => ({ Body: { transformToByteArray: async () => new Uint8Array(bytes) }, ETag: '"e1"' });

describe('reading an object back', () => {
  it('takes NoSuchKey and a bare 404 NotFound (no error body) for an object that does not exist', async () => {
    for (const err of [s3Error('NoSuchKey', 404), s3Error('NotFound', 404)]) {
      const { deps } = refusing(err);
      expect(await getBytes(deps, BUCKET, 'state/a.json')).toBeUndefined();
      expect(await getValidated(deps, BUCKET, 'state/a.json', z.object({}))).toBeUndefined();
    }
  });

  it('turns AccessDenied into an unreadable-state error that names the object, the missing rights and the cause', async () => {
    const denied = s3Error('AccessDenied', 403);
    const { deps } = refusing(denied);
    const err = await getBytes(deps, BUCKET, 'state/a.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateUnreadableError);
    expect((err as StateUnreadableError).message).toMatch(
      /^s3:\/\/archive\/state\/a\.json: access denied.*kms:Decrypt/,
    );
    expect((err as Error).cause).toBe(denied);
  });

  it('rethrows any other S3 error as it came', async () => {
    const other = s3Error('InvalidObjectState', 403);
    const { deps } = refusing(other);
    await expect(getBytes(deps, BUCKET, 'state/a.json')).rejects.toBe(other);
  });

  it('gunzips a .gz object and gives back its ETag', async () => {
    const { deps } = fakeS3(() => body(gzipSync('{"a":1}')));
    const stored = await getBytes(deps, BUCKET, 'journal/0.json.gz');
    expect({ text: stored?.value.toString('utf8'), etag: stored?.etag }).toEqual({ text: '{"a":1}', etag: '"e1"' });
  });
});

describe('a damaged object', () => {
  const schema = z.object({ windows: z.array(z.object({ toMs: z.number() })) });
  const read = async (text: string): Promise<StateCorruptError> => {
    const { deps } = fakeS3(() => body(Buffer.from(text)));
    const err = await getValidated(deps, BUCKET, 'state/a.json', schema, 'restore it').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateCorruptError);
    return err as StateCorruptError;
  };

  it('that is not JSON is refused, naming the parse error, the fix and the cause', async () => {
    const err = await read('{"windows":');
    expect(err.message).toMatch(/^s3:\/\/archive\/state\/a\.json: not valid JSON \(.+\)\. restore it$/);
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('that does not match its schema names the path of the first mismatch and what was wrong', async () => {
    const err = await read('{"windows":[{"toMs":1},{"toMs":"soon"}]}');
    expect(err.message).toBe(
      's3://archive/state/a.json: does not match its schema at windows.1.toMs: Invalid input: expected number, received string. restore it',
    );
    expect(err.cause).toBeInstanceOf(z.ZodError);
  });

  it('whose whole value is of the wrong type says so without an empty path', async () => {
    const err = await read('[]');
    expect(err.message).toBe(
      's3://archive/state/a.json: does not match its schema: Invalid input: expected object, received array. restore it',
    );
  });
});

describe('writing an object', () => {
  it('gzips a .gz object and says so in its ContentEncoding; a .json one is plain', async () => {
    const { deps, sent } = fakeS3(() => ({ ETag: '"e2"' }));
    expect(await putText(deps, BUCKET, 'journal/0.json.gz', '{"a":1}')).toBe('"e2"');
    await putJson(deps, BUCKET, 'state/a.json', { a: 1 });
    const [gz, plain] = sent.map((s) => s.input);
    expect(gz).toMatchObject({ Key: 'journal/0.json.gz', ContentEncoding: 'gzip', ContentType: 'application/json' });
    expect(gunzipSync(gz!.Body as Buffer).toString('utf8')).toBe('{"a":1}');
    expect(plain).not.toHaveProperty('ContentEncoding');
    expect((plain!.Body as Buffer).toString('utf8')).toBe('{"a":1}');
  });

  it('sends the condition it is given, and none when it is given none', async () => {
    const { deps, sent } = fakeS3(() => ({ ETag: '"e2"' }));
    await putJson(deps, BUCKET, 'state/a.json', {}, { ifMatch: '"e1"' });
    await putJson(deps, BUCKET, 'state/b.json', {}, { ifNoneMatch: '*' });
    await putJson(deps, BUCKET, 'state/c.json', {});
    const conditions = sent.map(({ input }) => ({ IfMatch: input.IfMatch, IfNoneMatch: input.IfNoneMatch }));
    expect(conditions).toEqual([
      { IfMatch: '"e1"', IfNoneMatch: undefined },
      { IfMatch: undefined, IfNoneMatch: '*' },
      { IfMatch: undefined, IfNoneMatch: undefined },
    ]);
  });

  it('turns a failed condition (412) and a concurrent conditional write (409) into a conflict naming the object', async () => {
    for (const err of [s3Error('PreconditionFailed', 412), s3Error('ConditionalRequestConflict', 409)]) {
      const { deps } = refusing(err);
      const thrown = await putJson(deps, BUCKET, 'state/a.json', {}, { ifMatch: '"e1"' }).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(StateConflictError);
      expect((thrown as Error).message).toBe('s3://archive/state/a.json was changed by someone else');
      expect((thrown as Error).cause).toBe(err);
    }
  });

  it('rethrows any other S3 error as it came', async () => {
    const other = s3Error('AccessDenied', 403);
    const { deps } = refusing(other);
    await expect(putJson(deps, BUCKET, 'state/a.json', {})).rejects.toBe(other);
  });
});

describe('listing objects', () => {
  it('lists after the key it is given, page by page', async () => {
    const pages = [
      { Contents: [{ Key: 'p/b' }], IsTruncated: true, NextContinuationToken: 't1' },
      { Contents: [{ Key: 'p/c' }], IsTruncated: false },
    ];
    const { deps, sent } = fakeS3(() => pages.shift());
    const keys: string[] = [];
    for await (const page of listObjectPages(deps, BUCKET, 'p/', 'p/a')) keys.push(...page.map((o) => o.Key!));
    expect(keys).toEqual(['p/b', 'p/c']);
    expect(sent.map((s) => s.input)).toEqual([
      { Bucket: BUCKET, Prefix: 'p/', StartAfter: 'p/a' },
      { Bucket: BUCKET, Prefix: 'p/', StartAfter: 'p/a', ContinuationToken: 't1' },
    ]);
  });
});
