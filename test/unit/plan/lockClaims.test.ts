/**
 * Who holds a group's lock when several runs wrote to its stream, and what the report says about it.
 * GetLogEvents returns events in the order of their timestamps (host clocks), not of their ingestion:
 * the events below are listed in an order that differs from their ingestion times on purpose.
 */
import { describe, expect, it } from 'vitest';
import { MS_PER_MINUTE } from '../../../src/constants.js';
import {
  describeHolder,
  encodeLockMessage,
  judgeLock,
  type LockEvent,
  type LockVerdict,
} from '../../../src/plan/lockState.js';
import { NOW } from '../../helpers/factories.js';

const TTL = 5 * MS_PER_MINUTE;
const msg = (kind: 'claim' | 'heartbeat' | 'probe', runId: string, ttlMs = TTL): string =>
  encodeLockMessage({
    cwlTrimLock: 1,
    kind,
    runId,
    holder: `host-${runId}:1`,
    ttlMs,
    ...(kind === 'probe' ? { nonce: 'n' } : {}),
  });
const ev = (message: string, ingestionTimeMs: number): LockEvent => ({ message, ingestionTimeMs });
const judge = (events: LockEvent[], serverNowMs: number): LockVerdict =>
  judgeLock({ creationTimeMs: NOW, events, serverNowMs, defaultTtlMs: TTL });
type Held = Extract<LockVerdict, { state: 'held' }>;

describe('judgeLock: the holder is the run whose claim CloudWatch ingested first', () => {
  it('whatever order the claims are read back in, with the ttl its own claim states', () => {
    const events = [
      ev(msg('claim', 'b', 10 * MS_PER_MINUTE), NOW + 2_000),
      ev(msg('claim', 'c', 10 * MS_PER_MINUTE), NOW + 3_000),
      ev(msg('claim', 'a'), NOW + 1_000),
    ];
    expect(judge(events, NOW + 2 * MS_PER_MINUTE)).toEqual({
      state: 'held',
      runId: 'a',
      holder: 'host-a:1',
      sinceMs: NOW,
      lastAliveMs: NOW + 1_000,
      remainingMs: 3 * MS_PER_MINUTE + 1_000,
    });
    // The later claimers' events are no sign of the holder's life: a's lock expires on its own ttl.
    expect(judge(events, NOW + 1_000 + TTL)).toMatchObject({ state: 'expired', runId: 'a' });
  });

  it("not another run's probe that landed before the claim: a probe claims nothing", () => {
    const events = [ev(msg('claim', 'a'), NOW + 2_000), ev(msg('probe', 'b', 10 * MS_PER_MINUTE), NOW + 1_000)];
    expect(judge(events, NOW + MS_PER_MINUTE)).toMatchObject({ state: 'held', runId: 'a', holder: 'host-a:1' });
  });

  it("not another run's heartbeat that landed before the claim", () => {
    const events = [ev(msg('claim', 'a'), NOW + 2_000), ev(msg('heartbeat', 'b'), NOW + 1_000)];
    expect(judge(events, NOW + MS_PER_MINUTE)).toMatchObject({ state: 'held', runId: 'a' });
  });
});

describe("judgeLock: only the holder's claim and heartbeats keep the lock alive", () => {
  it('the holder renewing keeps it held past its first ttl', () => {
    const events = [ev(msg('claim', 'a'), NOW), ev(msg('heartbeat', 'a'), NOW + 4 * MS_PER_MINUTE)];
    expect(judge(events, NOW + TTL)).toMatchObject({ state: 'held', lastAliveMs: NOW + 4 * MS_PER_MINUTE });
  });

  it("another run's probe alone does not", () => {
    const events = [ev(msg('claim', 'a'), NOW), ev(msg('probe', 'b'), NOW + 4 * MS_PER_MINUTE)];
    expect(judge(events, NOW + TTL)).toEqual({ state: 'expired', runId: 'a', holder: 'host-a:1', lastAliveMs: NOW });
  });

  it("the holder's own probe alone does not either (a probe only reads the server's time)", () => {
    const events = [ev(msg('claim', 'a'), NOW), ev(msg('probe', 'a'), NOW + 4 * MS_PER_MINUTE)];
    expect(judge(events, NOW + TTL)).toMatchObject({ state: 'expired', lastAliveMs: NOW });
  });

  it("another run's heartbeat alone does not", () => {
    const events = [ev(msg('claim', 'a'), NOW), ev(msg('heartbeat', 'b'), NOW + 4 * MS_PER_MINUTE)];
    expect(judge(events, NOW + TTL)).toMatchObject({ state: 'expired', lastAliveMs: NOW });
  });
});

describe('describeHolder: the sentence an operator reads for a group left alone', () => {
  const held = (over: Partial<Held>): Held => ({
    state: 'held',
    sinceMs: NOW,
    lastAliveMs: NOW,
    remainingMs: 4 * MS_PER_MINUTE,
    ...over,
  });

  it('names a run that has not written its claim yet', () => {
    expect(describeHolder('/app/a', held({}), NOW + MS_PER_MINUTE)).toBe(
      'a cwl-trim run that has not written its claim yet holds /app/a (lock stream /app/a in /cwl-trim/locks, ' +
        "renewed 60 s ago by CloudWatch's clock); left alone. If that run died, its lock expires in 4 min and " +
        'the next run takes it over',
    );
  });

  it('names the run and its host, or says the host is unknown', () => {
    expect(describeHolder('/app/a', held({ runId: 'r1', holder: 'box:42' }), NOW)).toMatch(
      /^cwl-trim run r1 on box:42 holds \/app\/a /,
    );
    expect(describeHolder('/app/a', held({ runId: 'r1' }), NOW)).toMatch(
      /^cwl-trim run r1 on an unknown host holds \/app\/a /,
    );
  });

  it('counts in seconds under two minutes and in whole minutes (rounded up) from two minutes', () => {
    const renewed = (agoMs: number, remainingMs: number): string =>
      describeHolder('/g', held({ runId: 'r', holder: 'h', lastAliveMs: NOW - agoMs, remainingMs }), NOW);
    expect(renewed(2 * MS_PER_MINUTE - 600, 2 * MS_PER_MINUTE - 1)).toMatch(
      /renewed 119 s ago .* expires in 120 s and/,
    );
    expect(renewed(2 * MS_PER_MINUTE, 2 * MS_PER_MINUTE)).toMatch(/renewed 2 min ago .* expires in 2 min and/);
    expect(renewed(0, 2 * MS_PER_MINUTE + 1)).toMatch(/renewed 0 s ago .* expires in 3 min and/);
  });
});
