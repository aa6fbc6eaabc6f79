/**
 * The lock stream's reads and writes (src/archive/lockStream.ts) against a scripted logs client:
 * every page read from the head with its token, our claim found on a later page, a stream gone at
 * each step (treated as "not ours" / "look again", any other error thrown), a clock kept from an
 * earlier lock relearnt, the lock group's creation failing for a reason of its own, and the second
 * look before a held lock is left to expire.
 */
import { describe, expect, it } from 'vitest';
import {
  createLockStream,
  deleteIfOurs,
  holdsClaim,
  readLockEvents,
  writeClaim,
} from '../../../src/archive/lockStream.js';
import { createCallStats } from '../../../src/aws/callAws.js';
import { createLimiters } from '../../../src/aws/limiters.js';
import type { Deps } from '../../../src/deps.js';
import { createLogger } from '../../../src/logger.js';
import { LOCK_GROUP_NAME, encodeLockMessage } from '../../../src/plan/lockState.js';

const GROUP = '/app/orders';

type Input = Record<string, unknown> & { readonly nextToken?: string; readonly startFromHead?: boolean };
type Handler = (input: Input, nth: number) => unknown;

/** An AWS error as the SDK throws it. */
const awsError = (name: string, status = 400): Error =>
  Object.assign(new Error(`${name} (scripted)`), { name, $metadata: { httpStatusCode: status } });

/**
 * Deps whose logs client answers each command (by class name) from `script` (nth is 1-based per
 * command), recording every call; sleeps are recorded, not waited.
 */
function scripted(script: Record<string, Handler>) {
  const calls: { op: string; input: Input }[] = [];
  const counts = new Map<string, number>();
  const sleeps: number[] = [];
  const send = async (command: { constructor: { name: string }; input: Input }) => {
    const op = command.constructor.name.replace(/Command$/, '');
    calls.push({ op, input: command.input });
    const nth = (counts.get(op) ?? 0) + 1;
    counts.set(op, nth);
    const handler = script[op];
    if (!handler) throw new Error(`unexpected ${op}`);
    return handler(command.input, nth);
  };
  const fast = Object.fromEntries(
    [
      'GetLogEvents',
      'PutLogEvents',
      'DescribeLogStreams',
      'CreateLogStream',
      'CreateLogGroup',
      'PutRetentionPolicy',
      'DeleteLogStream',
    ].map((op) => [op, 10_000]),
  );
  const deps = {
    clients: { logs: { send } },
    call: { limiters: createLimiters({ quotaShare: 1, quotasTps: fast }), stats: createCallStats() },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    settle: { initialMs: 7, maxMs: 50, factor: 2 },
    logger: createLogger({ level: 'silent', runId: 'unit' }),
    runId: 'unit',
  } as unknown as Deps;
  return { deps, calls, sleeps, ops: () => calls.map((c) => c.op) };
}

const claimOf = (nonce: string): string =>
  encodeLockMessage({ cwlTrimLock: 1, kind: 'claim', runId: 'r', holder: 'h:1', ttlMs: 60_000, nonce });
const heartbeat = encodeLockMessage({
  cwlTrimLock: 1,
  kind: 'heartbeat',
  runId: 'other',
  holder: 'h:2',
  ttlMs: 60_000,
});

/** GetLogEvents pages by the token sent: none → first page; each page's nextForwardToken → the next. */
const pages =
  (...list: { events?: { message?: string; ingestionTime?: number }[]; nextForwardToken?: string }[]): Handler =>
  (input) => {
    const i =
      input.nextToken === undefined ? 0 : list.findIndex((_, j) => list[j - 1]?.nextForwardToken === input.nextToken);
    if (i < 0) throw new Error(`unknown token ${String(input.nextToken)}`);
    return list[i];
  };

describe('readLockEvents', () => {
  it('reads every page from the head, sending each page’s token, until the token comes back', async () => {
    const s = scripted({
      GetLogEvents: pages(
        { events: [{ message: heartbeat, ingestionTime: 10 }], nextForwardToken: 'f/1' },
        // An event without a message, then a page without events: both as AWS may send them.
        { events: [{ ingestionTime: 20 }], nextForwardToken: 'f/2' },
        { nextForwardToken: 'f/2' },
      ),
    });
    expect(await readLockEvents(s.deps, GROUP)).toEqual([
      { message: heartbeat, ingestionTimeMs: 10 },
      { message: '', ingestionTimeMs: 20 },
    ]);
    expect(s.calls.map((c) => c.input)).toEqual([
      { logGroupName: LOCK_GROUP_NAME, logStreamName: GROUP, startFromHead: true },
      { logGroupName: LOCK_GROUP_NAME, logStreamName: GROUP, startFromHead: true, nextToken: 'f/1' },
      { logGroupName: LOCK_GROUP_NAME, logStreamName: GROUP, startFromHead: true, nextToken: 'f/2' },
    ]);
  });
});

describe('holdsClaim', () => {
  it('finds our claim on a later page (read from the head, with the token)', async () => {
    const s = scripted({
      GetLogEvents: pages(
        { events: [{ message: heartbeat, ingestionTime: 10 }], nextForwardToken: 'f/1' },
        { events: [{ message: claimOf('ours'), ingestionTime: 20 }], nextForwardToken: 'f/2' },
      ),
    });
    expect(await holdsClaim(s.deps, GROUP, 'ours')).toBe(true);
    expect(s.calls.map((c) => [c.input.startFromHead, c.input.nextToken])).toEqual([
      [true, undefined],
      [true, 'f/1'],
    ]);
  });

  it('says no once the token comes back without our claim (another run’s incarnation)', async () => {
    const s = scripted({
      GetLogEvents: pages(
        { events: [{ message: claimOf('theirs'), ingestionTime: 10 }], nextForwardToken: 'f/1' },
        { events: [], nextForwardToken: 'f/1' },
      ),
    });
    expect(await holdsClaim(s.deps, GROUP, 'ours')).toBe(false);
    expect(s.calls).toHaveLength(2);
  });

  it('says no when the lock stream is gone', async () => {
    const s = scripted({
      GetLogEvents: () => {
        throw awsError('ResourceNotFoundException');
      },
    });
    expect(await holdsClaim(s.deps, GROUP, 'ours')).toBe(false);
  });

  it('throws any other error: it cannot tell', async () => {
    const s = scripted({
      GetLogEvents: () => {
        throw awsError('AccessDeniedException');
      },
    });
    await expect(holdsClaim(s.deps, GROUP, 'ours')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('writeClaim', () => {
  const stream = (creationTime: number) => ({ logStreams: [{ logStreamName: GROUP, creationTime }] });

  it('gives up without putting when the stream is gone before CloudWatch’s clock is learnt', async () => {
    const s = scripted({ DescribeLogStreams: () => ({ logStreams: [] }), PutLogEvents: () => ({}) });
    expect(await writeClaim(s.deps, GROUP, 60_000, () => 0)).toBeUndefined();
    expect(s.ops()).toEqual(['DescribeLogStreams']);
  });

  it('gives up when the stream is deleted before the claim is put', async () => {
    const s = scripted({
      DescribeLogStreams: () => stream(1_000),
      PutLogEvents: () => {
        throw awsError('ResourceNotFoundException');
      },
    });
    expect(await writeClaim(s.deps, GROUP, 60_000, () => 0)).toBeUndefined();
  });

  it('throws another error of the claim’s put', async () => {
    const s = scripted({
      DescribeLogStreams: () => stream(1_000),
      PutLogEvents: () => {
        throw awsError('AccessDeniedException');
      },
    });
    await expect(writeClaim(s.deps, GROUP, 60_000, () => 0)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('relearns a kept clock whose stamps are refused, and gives up when the stream is gone before the second put', async () => {
    const monotonic = () => 0;
    const s = scripted({
      DescribeLogStreams: (_input, nth) => stream(nth * 1_000),
      PutLogEvents: (_input, nth) => {
        if (nth === 1) return {};
        if (nth === 2) return { rejectedLogEventsInfo: { tooNewLogEventStartIndex: 0 } };
        throw awsError('ResourceNotFoundException');
      },
    });
    // A first lock teaches the client CloudWatch's clock.
    expect(await writeClaim(s.deps, GROUP, 60_000, monotonic)).toBeDefined();
    expect(await writeClaim(s.deps, GROUP, 60_000, monotonic)).toBeUndefined();
    expect(s.ops()).toEqual([
      'DescribeLogStreams',
      'PutLogEvents',
      'PutLogEvents',
      'DescribeLogStreams',
      'PutLogEvents',
    ]);
  });
});

describe('createLockStream', () => {
  it('throws the reason the lock group cannot be created, not that it is missing', async () => {
    const s = scripted({
      CreateLogStream: () => {
        throw awsError('ResourceNotFoundException');
      },
      CreateLogGroup: () => {
        throw awsError('AccessDeniedException');
      },
      PutRetentionPolicy: () => ({}),
    });
    await expect(createLockStream(s.deps, GROUP)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(s.ops()).toEqual(['CreateLogStream', 'CreateLogGroup']);
  });

  it('creates the stream in a lock group another run created first', async () => {
    const s = scripted({
      CreateLogStream: (_input, nth) => {
        if (nth === 1) throw awsError('ResourceNotFoundException');
        return {};
      },
      CreateLogGroup: () => {
        throw awsError('ResourceAlreadyExistsException');
      },
    });
    expect(await createLockStream(s.deps, GROUP)).toBe('created');
    expect(s.ops()).toEqual(['CreateLogStream', 'CreateLogGroup', 'CreateLogStream']);
  });
});

describe('deleteIfOurs', () => {
  it('looks once more, after the settle wait, for a claim not read back yet, then deletes the stream', async () => {
    const s = scripted({
      GetLogEvents: (_input, nth) =>
        nth === 1
          ? { events: [], nextForwardToken: undefined }
          : { events: [{ message: claimOf('ours'), ingestionTime: 5 }], nextForwardToken: 'f/1' },
      DeleteLogStream: () => ({}),
    });
    await deleteIfOurs(s.deps, GROUP, 'ours', false);
    expect(s.sleeps).toEqual([7]);
    expect(s.ops()).toEqual(['GetLogEvents', 'GetLogEvents', 'DeleteLogStream']);
  });
});
