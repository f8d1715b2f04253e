// Approvers' PINs (docs/approval.md, "PINs"): a salted scrypt hash that verifies the right PIN only,
// never holds the PIN, and the lockout's growing delays.
import { describe, expect, it } from 'vitest';
import { hashPin, pinProblem, verifyPin, PIN_HASH_PARAMETERS } from '../../src/core/util/pin-hash.ts';
import { lockoutMs, LOCKOUT_BASE_MS, LOCKOUT_MAX_MS, PIN_ATTEMPTS } from '../../src/core/agent/approval.ts';

describe('PIN hash', () => {
  it('verifies the right PIN and refuses others', async () => {
    const stored = await hashPin('2468');
    expect(await verifyPin('2468', stored)).toBe(true);
    expect(await verifyPin('2469', stored)).toBe(false);
    expect(await verifyPin('24680', stored)).toBe(false);
    expect(await verifyPin('', stored)).toBe(false);
  });

  it('keeps scrypt with its parameters and a random salt, never the PIN', async () => {
    const a = await hashPin('1234');
    const b = await hashPin('1234');
    expect(a).toMatchObject({ algorithm: 'scrypt', N: PIN_HASH_PARAMETERS.N, r: 8, p: 1, keyLength: 32 });
    expect(a.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(Buffer.from(a.salt, 'base64')).toHaveLength(16);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    const text = JSON.stringify(a);
    for (const encoding of ['1234', Buffer.from('1234').toString('base64'), Buffer.from('1234').toString('hex')]) expect(text).not.toContain(encoding);
  });

  it('checks with the parameters stored, so raising them later keeps old hashes readable', async () => {
    const old = await hashPin('abcd');
    const weaker = { ...old, N: 2 ** 14 };
    // Same salt and PIN, other cost: another hash, so the stored N is the one used.
    expect(await verifyPin('abcd', weaker)).toBe(false);
    expect(await verifyPin('abcd', old)).toBe(true);
  });

  it('reads a PIN typed in another Unicode normal form as the same', async () => {
    const stored = await hashPin('caf\u00e9');
    expect(await verifyPin('cafe\u0301', stored)).toBe(true);
  });

  it('says what is wrong with a PIN', () => {
    expect(pinProblem('123')).toMatch(/at least 4/);
    expect(pinProblem('1'.repeat(33))).toMatch(/at most 32/);
    expect(pinProblem(' 1234')).toMatch(/space/);
    expect(pinProblem('12\n34')).toMatch(/control/);
    expect(pinProblem('1234')).toBeNull();
    expect(pinProblem('è-ok-π')).toBeNull();
  });
});

describe('lockout delays', () => {
  it('locks at the fifth wrong PIN, doubling each time, up to an hour', () => {
    expect(PIN_ATTEMPTS).toBe(5);
    expect([1, 2, 3, 4].map(lockoutMs)).toEqual([0, 0, 0, 0]);
    expect(lockoutMs(5)).toBe(LOCKOUT_BASE_MS);
    expect(lockoutMs(6)).toBe(2 * LOCKOUT_BASE_MS);
    expect(lockoutMs(7)).toBe(4 * LOCKOUT_BASE_MS);
    expect(lockoutMs(50)).toBe(LOCKOUT_MAX_MS);
    expect(LOCKOUT_BASE_MS).toBe(30_000);
    expect(LOCKOUT_MAX_MS).toBe(3_600_000);
  });
});
