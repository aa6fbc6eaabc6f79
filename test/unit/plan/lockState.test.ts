import { describe, expect, it } from 'vitest';
import { MS_PER_DAY, MS_PER_MINUTE } from '../../../src/constants.js';
import {
  LOCK_STREAM_NAME,
  describeHolder,
  encodeLockMessage,
  judgeLock,
  parseLockMessage,
  type LockEvent,
} from '../../../src/plan/lockState.js';
import { planRun } from '../../../src/plan/planRun.js';
import { StreamReason } from '../../../src/plan/planTypes.js';
import { NOW, configFactory, groupFactory, stateFactory, streamFactory } from '../../helpers/factories.js';

const TTL = 5 * MS_PER_MINUTE;
const msg = (kind: 'claim' | 'heartbeat' | 'probe', runId: string, extra: { nonce?: string } = {}): string =>
  encodeLockMessage({ cwlTrimLock: 1, kind, runId, holder: `host-${runId}:1`, ttlMs: TTL, ...extra });
const ev = (message: string, ingestionTimeMs: number): LockEvent => ({ message, ingestionTimeMs });

describe('judgeLock: by CloudWatch ingestion times only', () => {
  it('is held while the holder renewed within its ttl, and says who holds it', () => {
    const events = [ev(msg('claim', 'a'), NOW), ev(msg('heartbeat', 'a'), NOW + 4 * MS_PER_MINUTE)];
    const verdict = judgeLock({ creationTimeMs: NOW, events, serverNowMs: NOW + 8 * MS_PER_MINUTE, defaultTtlMs: TTL });
    expect(verdict).toMatchObject({ state: 'held', runId: 'a', holder: 'host-a:1', remainingMs: MS_PER_MINUTE });
    if (verdict.state !== 'held') throw new Error('held');
    expect(describeHolder('/g', verdict, NOW + 8 * MS_PER_MINUTE)).toMatch(
      /cwl-trim run a on host-a:1 holds \/g .*renewed 4 min ago.*expires in 60 s/,
    );
  });

  it('expires once the holder has not renewed for its ttl', () => {
    const events = [ev(msg('claim', 'a'), NOW)];
    expect(judgeLock({ creationTimeMs: NOW, events, serverNowMs: NOW + TTL, defaultTtlMs: TTL })).toMatchObject({
      state: 'expired',
      runId: 'a',
    });
  });

  it("ignores probes and other runs' events: they are no sign of the holder's life", () => {
    const events = [
      ev(msg('claim', 'a'), NOW),
      ev(msg('probe', 'b', { nonce: 'x' }), NOW + 4 * MS_PER_MINUTE),
      ev(msg('heartbeat', 'b'), NOW + 4 * MS_PER_MINUTE),
    ];
    expect(judgeLock({ creationTimeMs: NOW, events, serverNowMs: NOW + TTL, defaultTtlMs: TTL }).state).toBe('expired');
  });

  it('never reads event timestamps: a holder whose clock is days off is judged by ingestion alone', () => {
    // The message could carry any timestamp; only ingestion times are passed in, and they decide.
    const events = [ev(msg('claim', 'a'), NOW - 30 * MS_PER_DAY)];
    expect(
      judgeLock({ creationTimeMs: NOW - 30 * MS_PER_DAY, events, serverNowMs: NOW, defaultTtlMs: TTL }).state,
    ).toBe('expired');
  });

  it('writes letters only (a data protection policy masks digits) and reads them back', () => {
    const m = msg('claim', 'a1b2c3d4');
    expect(m).toMatch(/^cwl-trim-lock [a-p]+$/);
    expect(parseLockMessage(m)).toMatchObject({ kind: 'claim', runId: 'a1b2c3d4', ttlMs: TTL });
  });

  it('counts an unreadable event (masked, damaged) as a sign of life: it can only delay a takeover', () => {
    const events = [ev(msg('claim', 'a'), NOW), ev('cwl-trim-lock ****', NOW + 4 * MS_PER_MINUTE)];
    expect(judgeLock({ creationTimeMs: NOW, events, serverNowMs: NOW + TTL, defaultTtlMs: TTL }).state).toBe('held');
  });

  it('counts an unclaimed lock as held from its creation, for the default ttl', () => {
    const verdict = judgeLock({
      creationTimeMs: NOW,
      events: [ev('not json', NOW)],
      serverNowMs: NOW + MS_PER_MINUTE,
      defaultTtlMs: TTL,
    });
    expect(verdict).toMatchObject({ state: 'held', remainingMs: 4 * MS_PER_MINUTE });
    expect(verdict).not.toHaveProperty('runId');
  });
});

describe('the planner and the lock stream', () => {
  it('never deletes, rebuilds or trims the lock stream, however old its events look', () => {
    const group = groupFactory();
    const lock = streamFactory(LOCK_STREAM_NAME, 40, 20);
    const plan = planRun(
      [{ group, streams: [lock, streamFactory('old', 40, 20)], state: stateFactory(group.logGroupName) }],
      configFactory(),
      NOW,
    );
    const planned = plan.groups[0]!.streams;
    expect(planned.find((s) => s.logStreamName === LOCK_STREAM_NAME)).toMatchObject({
      action: 'keep',
      reason: StreamReason.LockStream,
    });
    expect(planned.find((s) => s.logStreamName === 'old')?.action).not.toBe('keep');
  });
});
