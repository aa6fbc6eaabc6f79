/**
 * Contract: the S3 behaviour cwl-trim relies on, on the sandbox and on moto.
 */
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeEach, expect, it } from 'vitest';
import { TEST_CREDENTIALS } from '@cwl-trim/sandbox/testing';
import { expectAwsError } from '@cwl-trim/sandbox/testing';
import { describeContract } from './targets.js';

const BUCKET = 'contract-s3';
const BINARY = Buffer.from(Array.from({ length: 4_096 }, (_, i) => (i * 31) % 256));

describeContract('S3', (target) => {
  beforeEach(async () => {
    await target().s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('re-creating an owned bucket in us-east-1 succeeds', async () => {
    await target().s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('stores a streamed upload of a default-checksum client byte-exact', async () => {
    const t = target();
    const client = new S3Client({
      endpoint: t.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'streamed.bin',
          Body: Readable.from([BINARY]),
          ContentLength: BINARY.length,
        }),
      );
    } finally {
      client.destroy();
    }
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed.bin' }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(BINARY)).toBe(true);
  });

  it('honours If-None-Match: * and If-Match on PutObject', async () => {
    const t = target();
    const first = await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'one', IfNoneMatch: '*' }));
    await expectAwsError(
      t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'two', IfNoneMatch: '*' })),
      'PreconditionFailed',
    );
    await expectAwsError(
      t.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'lock',
          Body: 'two',
          IfMatch: '"00000000000000000000000000000000"',
        }),
      ),
      'PreconditionFailed',
    );
    await expectAwsError(
      t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'absent', Body: 'x', IfMatch: first.ETag })),
      'NoSuchKey',
    );
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'two', IfMatch: first.ETag }));
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lock' }));
    expect(await got.Body?.transformToString()).toBe('two');
  });

  it('pages ListObjectsV2 and rolls keys up by delimiter', async () => {
    const t = target();
    const keys = Array.from({ length: 25 }, (_, i) => `p/${String(i).padStart(2, '0')}/x.gz`).concat(['p/top.txt']);
    await Promise.all(keys.map((Key) => t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }))));
    const seen: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const res = await t.s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'p/', MaxKeys: 10, ContinuationToken }),
      );
      expect(res.KeyCount).toBe(res.Contents?.length);
      seen.push(...(res.Contents ?? []).map((o) => o.Key ?? ''));
      ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    expect(seen).toEqual([...keys].sort());
    const rolled = await t.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'p/', Delimiter: '/' }));
    expect(rolled.CommonPrefixes).toHaveLength(25);
    expect(rolled.Contents?.map((o) => o.Key)).toEqual(['p/top.txt']);
  });

  it('deletes objects in bulk and answers 404 to a head of a missing key', async () => {
    const t = target();
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a', Body: 'a' }));
    const res = await t.s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'a' }] } }));
    expect(res.Deleted?.map((d) => d.Key)).toEqual(['a']);
    const err = await expectAwsError(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a' })), 'NotFound');
    expect(err.$metadata?.httpStatusCode).toBe(404);
    await expectAwsError(t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a' })), 'NoSuchKey');
  });
});
