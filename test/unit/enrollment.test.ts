// Enrollment's pure parts: when the key's expiry deserves a warning (the edges: 31, 30, 1 and 0 days
// left), what each hub answer means for the person holding the code, the CLI's exit code for each
// refusal, and that every refusal is worded in Italian and English.
import { describe, expect, it } from 'vitest';
import { ENROLL_REFUSALS, ENROLL_REFUSAL_TEXT, KEY_EXPIRY_WARNING_DAYS, isEnrollRefusal, keyExpiry } from '../../src/contract/enrollment.ts';
import { enrollmentFailure, enrollmentRefused } from '../../src/core/agent/enrollment.ts';
import { HubRequestError } from '../../src/core/hub/hub-client.ts';
import { AgentError } from '../../src/core/agent-error.ts';
import { ENROLL_EXIT, cliLanguage, exitCodeFor } from '../../src/cli/commands/enroll.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2035-01-01T12:00:00Z');
const at = (ms: number): string => new Date(NOW + ms).toISOString();

describe('keyExpiry', () => {
  it('warns from 30 days ahead, not 31', () => {
    expect(KEY_EXPIRY_WARNING_DAYS).toBe(30);
    expect(keyExpiry(at(31 * DAY), NOW)).toEqual({ level: 'ok', daysLeft: 31 });
    expect(keyExpiry(at(30 * DAY + 1), NOW)).toEqual({ level: 'ok', daysLeft: 31 }); // a started day counts
    expect(keyExpiry(at(30 * DAY), NOW)).toEqual({ level: 'soon', daysLeft: 30 });
    expect(keyExpiry(at(29 * DAY + 1), NOW)).toEqual({ level: 'soon', daysLeft: 30 });
  });

  it('says 1 day until the last moment, then expired (0) from the instant itself', () => {
    expect(keyExpiry(at(DAY), NOW)).toEqual({ level: 'soon', daysLeft: 1 });
    expect(keyExpiry(at(1), NOW)).toEqual({ level: 'soon', daysLeft: 1 });
    expect(keyExpiry(at(0), NOW)).toEqual({ level: 'expired', daysLeft: 0 });
    expect(keyExpiry(at(-3 * DAY), NOW)).toEqual({ level: 'expired', daysLeft: 0 });
  });

  it('knows nothing of a key without an expiry, or with a date it cannot read', () => {
    expect(keyExpiry(null, NOW)).toEqual({ level: 'none', daysLeft: null });
    expect(keyExpiry(undefined, NOW)).toEqual({ level: 'none', daysLeft: null });
    expect(keyExpiry('', NOW)).toEqual({ level: 'none', daysLeft: null });
    expect(keyExpiry('not a date', NOW)).toEqual({ level: 'none', daysLeft: null });
  });
});

function hubError(status: number | null, code: string, kind: HubRequestError['kind'] = 'permanent'): HubRequestError {
  return new HubRequestError({ kind, status, code, message: `the hub answered ${status ?? 'nothing'} ${code}` });
}

describe('what a failed enrollment means', () => {
  it.each([
    [hubError(403, 'invalid_activation_code', 'auth'), 'invalid_activation_code', 422],
    [hubError(401, 'unauthorized', 'auth'), 'invalid_activation_code', 422],
    [hubError(410, 'gone', 'cursor_expired'), 'invalid_activation_code', 422],
    [hubError(400, 'invalid_activation_code'), 'invalid_activation_code', 422],
    [hubError(400, 'invalid_request'), 'bad_activation_code', 400],
    [hubError(422, 'bad_device'), 'bad_activation_code', 400],
    [hubError(null, 'ECONNREFUSED', 'transient'), 'hub_unreachable', 502],
    [hubError(null, 'ETIMEDOUT', 'transient'), 'hub_unreachable', 502],
    [hubError(null, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'), 'hub_untrusted', 502],
    [hubError(null, 'protocol_error', 'transient'), 'hub_error', 502],
    [hubError(503, 'unavailable', 'transient'), 'hub_error', 502],
    [hubError(404, 'not_found', 'transient'), 'hub_error', 502],
    [new Error('something else'), 'hub_error', 502],
  ] as const)('%s → %s', (error, code, status) => {
    const refusal = enrollmentFailure(error);
    expect(refusal).toBeInstanceOf(AgentError);
    expect(refusal.code).toBe(code);
    expect(refusal.status).toBe(status);
    // The English text a client shows, then the technical reason.
    expect(refusal.message.startsWith(ENROLL_REFUSAL_TEXT.en[code])).toBe(true);
    expect(refusal.details).toEqual({ detail: error.message });
  });

  it('a refusal without a detail carries only the text', () => {
    const refusal = enrollmentRefused('no_hub', 409);
    expect(refusal.message).toBe(ENROLL_REFUSAL_TEXT.en.no_hub);
    expect(refusal.details).toBeUndefined();
  });

  it('every refusal is worded in both languages and has its own exit code', () => {
    for (const code of ENROLL_REFUSALS) {
      expect(isEnrollRefusal(code)).toBe(true);
      expect(ENROLL_REFUSAL_TEXT.it[code].length).toBeGreaterThan(20);
      expect(ENROLL_REFUSAL_TEXT.en[code].length).toBeGreaterThan(20);
      expect(ENROLL_REFUSAL_TEXT.it[code]).not.toBe(ENROLL_REFUSAL_TEXT.en[code]);
    }
    expect(isEnrollRefusal('not_a_refusal')).toBe(false);
    expect(isEnrollRefusal(42)).toBe(false);
  });
});

describe('recapito enroll', () => {
  it('exits by what to do next: ask for a new code, try again later, fix the setup, fix the command', () => {
    expect(exitCodeFor('invalid_activation_code')).toBe(ENROLL_EXIT.codeRefused);
    expect(exitCodeFor('hub_unreachable')).toBe(ENROLL_EXIT.hubUnreachable);
    expect(exitCodeFor('hub_untrusted')).toBe(ENROLL_EXIT.hubUnreachable);
    for (const code of ['no_hub', 'not_https', 'key_from_environment'] as const) expect(exitCodeFor(code)).toBe(ENROLL_EXIT.setup);
    for (const code of ['bad_activation_code', 'bad_device_name'] as const) expect(exitCodeFor(code)).toBe(ENROLL_EXIT.usage);
    for (const code of ['hub_error', 'key_not_stored'] as const) expect(exitCodeFor(code)).toBe(ENROLL_EXIT.failed);
    expect(new Set(Object.values(ENROLL_EXIT)).size).toBe(Object.keys(ENROLL_EXIT).length);
  });

  it('speaks Italian where the environment does', () => {
    expect(cliLanguage({ LANG: 'it_IT.UTF-8' })).toBe('it');
    expect(cliLanguage({ LANG: 'en_GB.UTF-8', LC_ALL: 'it_CH.UTF-8' })).toBe('it');
    expect(cliLanguage({ LC_MESSAGES: 'it' })).toBe('it');
    expect(cliLanguage({ LANG: 'C.UTF-8' })).toBe('en');
    expect(cliLanguage({ LANG: 'de_DE.UTF-8' })).toBe('en');
    expect(cliLanguage({})).toBe('en');
  });
});
