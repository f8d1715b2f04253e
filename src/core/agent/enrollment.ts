// Enrollment by activation code (docs/enrollment.md): the code is traded at the hub for an API key
// (POST /v1/enrollments), which goes straight into the secret store (the OS store in the desktop app,
// the 0600 file headless) and is never returned, logged or written anywhere else. The running agent
// (Agent.enroll, behind POST /api/v1/enroll) and `recapito enroll` with no agent running both come here.
import os from 'node:os';
import type { Settings } from '../config/settings-schema.ts';
import type { SecretStore } from '../config/secret-store.ts';
import type { Logger } from '../log/logger.ts';
import { createHttpsHubClient } from '../hub/https-hub-client.ts';
import { isHubRequestError } from '../hub/hub-client.ts';
import { AgentError } from '../agent-error.ts';
import type { HubEnrollment } from '../../contract/hub-protocol.ts';
import type { AgentStatus } from '../../contract/local-api.ts';
import { ENROLL_REFUSAL_TEXT, type EnrollRefusal, type EnrollRequest, type EnrollmentResult } from '../../contract/enrollment.ts';
import { AGENT_VERSION, extraCaPem } from './hub-connection.ts';

export const MAX_ACTIVATION_CODE_CHARS = 200;
export const MAX_DEVICE_NAME_CHARS = 100;
// Control characters (C0, DEL, C1), line and paragraph separators: a code or a name is one line.
const CONTROL_CHARACTERS = /[\p{Cc}\u2028\u2029]/u;

export interface EnrollOptions {
  hub: Settings['hub'];
  secrets: SecretStore;
  log: Logger;
  request: EnrollRequest;
  /** The device name when the request has none; the computer's host name by default. */
  hostName?: () => string;
  signal?: AbortSignal;
}

/**
 * A refusal a person can act on: `code` is one of ENROLL_REFUSALS (the UI and the CLI word it in
 * Italian or English), the message is the English text, and `details.detail` the technical reason
 * when there is one (the hub's answer, the network error), never the code or the key.
 */
export function enrollmentRefused(code: EnrollRefusal, status: number, detail: string | null = null): AgentError {
  return new AgentError(code, `${ENROLL_REFUSAL_TEXT.en[code]}${detail ? ` (${detail})` : ''}`, status, detail ? { detail } : undefined);
}

/** Where the hub API key comes from now (never its value), for /status. */
export function hubKeySource(secrets: SecretStore): AgentStatus['hub']['keySource'] {
  if (!secrets.get('hubApiKey')) return null;
  return secrets.sourceOf?.('hubApiKey') === 'env' ? 'environment' : 'store';
}

/** Trades the activation code for an API key, stores the key, and reads the account with it. */
export async function enrollDevice(options: EnrollOptions): Promise<EnrollmentResult> {
  const { hub, secrets, log } = options;
  const activationCode = checkedActivationCode(options.request.activationCode);
  const deviceName = checkedDeviceName(options.request.deviceName, options.hostName ?? os.hostname);
  if (hub.transport !== 'https') throw enrollmentRefused('not_https', 409);
  if (!hub.url) throw enrollmentRefused('no_hub', 409);
  // The variable would win over the enrolled key: the code would be spent for nothing.
  if (secrets.sourceOf?.('hubApiKey') === 'env') throw enrollmentRefused('key_from_environment', 409);

  let enrolledKey: string | null = null;
  const client = createHttpsHubClient({
    baseUrl: hub.url,
    apiKey: () => enrolledKey,
    extraCaPem: await extraCaPem(hub),
    requestTimeoutMs: hub.requestTimeoutSeconds * 1000,
    userAgent: `Recapito/${AGENT_VERSION}`,
  });
  try {
    let enrollment: HubEnrollment;
    try {
      enrollment = await client.enroll({ activationCode, deviceName }, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const refusal = enrollmentFailure(error);
      log.warn('enrollment refused', { code: refusal.code, reason: refusal.message, deviceName });
      throw refusal;
    }
    enrolledKey = enrollment.apiKey;
    try {
      await secrets.set('hubApiKey', enrollment.apiKey);
    } catch (error) {
      // The code is spent and the key cannot be kept: say so, and which code-free reason.
      log.error('enrolled with the hub, but the API key could not be stored', { keyId: enrollment.key.id, error: describe(error) });
      throw enrollmentRefused('key_not_stored', 500, describe(error));
    }
    log.info('enrolled with the hub', { account: enrollment.account.id, keyId: enrollment.key.id, expiresAt: enrollment.key.expiresAt, deviceName });

    let companies: EnrollmentResult['companies'] = null;
    let credits: number | null = null;
    try {
      const account = await client.account(options.signal);
      companies = account.companies.map(({ id, vatNumber, name }) => ({ id, vatNumber, name }));
      credits = account.credits.remaining;
    } catch (error) {
      log.warn('enrolled, but the account could not be read with the new key yet', { error: describe(error) });
    }
    // Field by field: whatever else the hub's answer held (the key first of all) stays here.
    return {
      account: { id: enrollment.account.id, name: enrollment.account.name },
      key: { id: enrollment.key.id, expiresAt: enrollment.key.expiresAt },
      deviceName,
      companies,
      credits,
    };
  } finally {
    await client.close();
  }
}

function checkedActivationCode(value: unknown): string {
  const code = typeof value === 'string' ? value.trim() : '';
  if (code === '' || code.length > MAX_ACTIVATION_CODE_CHARS || CONTROL_CHARACTERS.test(code)) throw enrollmentRefused('bad_activation_code', 400);
  return code;
}

function checkedDeviceName(value: unknown, hostName: () => string): string {
  const given = typeof value === 'string' ? value.trim() : '';
  if (given !== '') {
    if (given.length > MAX_DEVICE_NAME_CHARS || CONTROL_CHARACTERS.test(given)) throw enrollmentRefused('bad_device_name', 400);
    return given;
  }
  return defaultDeviceName(hostName);
}

/** The name the hub lists this PC by when the person gives none: the host name, on one line. */
export function defaultDeviceName(hostName: () => string = os.hostname): string {
  const host = hostName().replace(new RegExp(CONTROL_CHARACTERS.source, 'gu'), '').trim().slice(0, MAX_DEVICE_NAME_CHARS);
  return host === '' ? 'Recapito' : host;
}

/** What the hub's answer (or its silence) means for the person holding the code. */
export function enrollmentFailure(error: unknown): AgentError {
  if (!isHubRequestError(error)) return enrollmentRefused('hub_error', 502, describe(error));
  const detail = error.message;
  if (error.code === 'invalid_activation_code' || error.status === 401 || error.status === 403 || error.status === 410)
    return enrollmentRefused('invalid_activation_code', 422, detail);
  if (error.status === 400 || error.status === 422) return enrollmentRefused('bad_activation_code', 400, detail);
  if (error.kind === 'tls') return enrollmentRefused('hub_untrusted', 502, detail);
  if (error.status === null && error.code !== 'protocol_error') return enrollmentRefused('hub_unreachable', 502, detail);
  return enrollmentRefused('hub_error', 502, detail);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
