import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { TEST_CREDENTIALS } from './helpers/sandboxClients.js';
import { expectAwsError, useSandbox } from './helpers/sandboxHarness.js';

const h = useSandbox();
const euWest = useSandbox({ region: 'eu-west-1' });

/** Every byte value, twice: any framing or text decoding left in the stored object shows. */
const BINARY = Buffer.from([
  ...Array.from({ length: 256 }, (_, i) => i),
  ...Array.from({ length: 256 }, (_, i) => 255 - i),
]);

async function listAll(
  input: Omit<ListObjectsV2CommandInput, 'Bucket'>,
): Promise<{ keys: string[]; prefixes: string[]; pages: number }> {
  const out = { keys: [] as string[], prefixes: [] as string[], pages: 0 };
  let ContinuationToken: string | undefined;
  do {
    const res = await h.s3.send(new ListObjectsV2Command({ Bucket: 'bkt', ...input, ContinuationToken }));
    out.pages += 1;
    expect(res.KeyCount).toBe((res.Contents?.length ?? 0) + (res.CommonPrefixes?.length ?? 0));
    out.keys.push(...(res.Contents ?? []).map((o) => o.Key ?? ''));
    out.prefixes.push(...(res.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''));
    ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (ContinuationToken !== undefined);
  return out;
}

describe('S3 buckets', () => {
  it('creates, heads and deletes a bucket; refuses to delete a non-empty one', async () => {
    await h.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
    await h.s3.send(new HeadBucketCommand({ Bucket: 'bkt' }));
    await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x' }));
    const err = await expectAwsError(h.s3.send(new DeleteBucketCommand({ Bucket: 'bkt' })), 'BucketNotEmpty');
    expect(err.$metadata?.httpStatusCode).toBe(409);
    await h.s3.send(new DeleteObjectCommand({ Bucket: 'bkt', Key: 'k' }));
    await h.s3.send(new DeleteBucketCommand({ Bucket: 'bkt' }));
    await expectAwsError(h.s3.send(new HeadBucketCommand({ Bucket: 'bkt' })), 'NotFound');
    await expectAwsError(h.s3.send(new CreateBucketCommand({ Bucket: 'No_Such' })), 'InvalidBucketName');
  });

  it('answers 200 to re-creating an owned bucket in us-east-1 and 409 BucketAlreadyOwnedByYou elsewhere', async () => {
    await h.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
    await h.s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
    await euWest.s3.send(
      new CreateBucketCommand({ Bucket: 'bkt', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    const err = await expectAwsError(
      euWest.s3.send(new CreateBucketCommand({ Bucket: 'bkt' })),
      'BucketAlreadyOwnedByYou',
    );
    expect(err.$metadata?.httpStatusCode).toBe(409);
  });
});

describe('S3 objects', () => {
  it('stores bodies byte-exact and answers with the quoted MD5 ETag', async () => {
    h.sandbox.createBucket('bkt');
    const put = await h.s3.send(
      new PutObjectCommand({ Bucket: 'bkt', Key: 'dir/a b+c.bin', Body: BINARY, ContentType: 'application/x-gzip' }),
    );
    const got = await h.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'dir/a b+c.bin' }));
    const body = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    expect(body.equals(BINARY)).toBe(true);
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(got.ETag).toBe(put.ETag);
    expect(got.ContentType).toBe('application/x-gzip');
    expect(h.sandbox.objects('bkt')[0]?.body.equals(BINARY)).toBe(true);
  });

  it('seeds objects straight into a bucket, listed and read as PutObject would have stored them', async () => {
    h.sandbox.createBucket('bkt');
    const seeded = h.sandbox.seedObjects(
      'bkt',
      ['b/2', 'a/1', 'b/1'].map((key) => ({ key, body: Buffer.from(`body of ${key}`) })),
    );
    expect(seeded).toBe(3);
    expect((await listAll({ Prefix: 'b/' })).keys).toEqual(['b/1', 'b/2']);
    const got = await h.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'a/1' }));
    expect(await got.Body!.transformToString()).toBe('body of a/1');
    expect(got.ETag).toBe(h.sandbox.objects('bkt', 'a/1')[0]!.etag);
    expect(() => h.sandbox.seedObjects('nope', [])).toThrow();
  });

  it('decodes aws-chunked uploads of a client with default checksum settings', async () => {
    h.sandbox.createBucket('bkt');
    const client = new S3Client({
      endpoint: h.sandbox.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    try {
      const big = Buffer.concat(Array.from({ length: 300 }, () => BINARY)); // 153,600 bytes: several chunks
      await client.send(
        new PutObjectCommand({
          Bucket: 'bkt',
          Key: 'streamed',
          Body: Readable.from([big.subarray(0, 70_000), big.subarray(70_000)]),
          ContentLength: big.length,
        }),
      );
      await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'buffered', Body: BINARY }));
      const got = await client.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'streamed' }));
      expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(big)).toBe(true);
      expect(h.sandbox.objects('bkt', 'streamed')[0]?.body.equals(big)).toBe(true);
      expect(h.sandbox.objects('bkt', 'buffered')[0]?.body.equals(BINARY)).toBe(true);
      const streamedPut = h.sandbox.calls.find(
        (c) => c.operation === 'PutObject' && (c.input as { Key: string }).Key === 'streamed',
      );
      expect((streamedPut!.input as { BodyBytes: number }).BodyBytes).toBeGreaterThan(big.length); // the framing was sent…
    } finally {
      client.destroy();
    }
  });

  it('refuses a body whose checksum does not match', async () => {
    h.sandbox.createBucket('bkt');
    await expectAwsError(
      h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'abc', ChecksumCRC32: 'AAAAAA==' })),
      'BadDigest',
    );
  });

  it('honours If-None-Match: * and If-Match on PutObject', async () => {
    h.sandbox.createBucket('bkt');
    const first = await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'one', IfNoneMatch: '*' }));
    const taken = await expectAwsError(
      h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'two', IfNoneMatch: '*' })),
      'PreconditionFailed',
    );
    expect(taken.$metadata?.httpStatusCode).toBe(412);
    await expectAwsError(
      h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'two', IfMatch: '"0000"' })),
      'PreconditionFailed',
    );
    await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'two', IfMatch: first.ETag }));
    await expectAwsError(
      h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'missing', Body: 'x', IfMatch: first.ETag })),
      'NoSuchKey',
    );
    expect(h.sandbox.objects('bkt', 'k')[0]?.body.toString()).toBe('two');
  });

  it('names missing keys and buckets as S3 does', async () => {
    h.sandbox.createBucket('bkt');
    const err = await expectAwsError(h.s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'nope' })), 'NoSuchKey');
    expect(err.$metadata?.httpStatusCode).toBe(404);
    await expectAwsError(h.s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'nope' })), 'NotFound');
    await expectAwsError(h.s3.send(new GetObjectCommand({ Bucket: 'nobkt', Key: 'k' })), 'NoSuchBucket');
    await h.s3.send(new DeleteObjectCommand({ Bucket: 'bkt', Key: 'nope' }));
  });

  it('copies an object', async () => {
    h.sandbox.createBucket('bkt');
    await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'src/a', Body: BINARY }));
    await h.s3.send(new CopyObjectCommand({ Bucket: 'bkt', Key: 'dst/a', CopySource: 'bkt/src/a' }));
    expect(h.sandbox.objects('bkt', 'dst/')[0]?.body.equals(BINARY)).toBe(true);
  });
});

describe('ListObjectsV2 and DeleteObjects', () => {
  it('pages 1,000 keys at a time and ends with IsTruncated false', async () => {
    h.sandbox.createBucket('bkt');
    const keys = Array.from({ length: 2_100 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(
        keys.slice(i, i + 100).map((Key) => h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key, Body: 'x' }))),
      );
    }
    const all = await listAll({ Prefix: 'k/' });
    expect(all.pages).toBe(3);
    expect(all.keys).toHaveLength(2_100);
    expect(all.keys).toEqual([...all.keys].sort());
  });

  it('rolls keys up into CommonPrefixes by delimiter, one per page with MaxKeys 1', async () => {
    h.sandbox.createBucket('bkt');
    for (const key of ['a/1', 'a/2', 'b/x/1', 'c', 'd/1'])
      await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: key }));
    expect(await listAll({ Delimiter: '/' })).toEqual({ keys: ['c'], prefixes: ['a/', 'b/', 'd/'], pages: 1 });
    expect(await listAll({ Delimiter: '/', MaxKeys: 1 })).toEqual({
      keys: ['c'],
      prefixes: ['a/', 'b/', 'd/'],
      pages: 4,
    });
    expect((await listAll({ StartAfter: 'b/x/1' })).keys).toEqual(['c', 'd/1']);
  });

  it('deletes many objects, reporting them unless Quiet', async () => {
    h.sandbox.createBucket('bkt');
    for (const key of ['a', 'b', 'c']) await h.s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: key }));
    const verbose = await h.s3.send(
      new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'a' }, { Key: 'zz' }] } }),
    );
    const quiet = await h.s3.send(
      new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'b' }], Quiet: true } }),
    );
    expect(verbose.Deleted?.map((d) => d.Key)).toEqual(['a', 'zz']);
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(h.sandbox.objects('bkt').map((o) => o.key)).toEqual(['c']);
  });
});
