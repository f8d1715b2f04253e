// A hub error must never carry a credential (the API key, an SFTP password, passphrase or private
// key) to a message, the UI or a log, even when the hub or the SFTP server echoes one back. One
// scrubber for both transports, with the log's placeholder (REDACTED, src/core/log/redact.ts).
import { redactKnownSecrets, redactValue } from '../log/redact.ts';
import { HubRequestError } from './hub-client.ts';

/** Causes nest a few deep (axios, TLS, ssh2); a longer chain is cut rather than followed. */
const MAX_CAUSES = 8;

/**
 * `error` with every known secret replaced in its message and along its cause chain (kept, for
 * diagnostics), and without its details if they hold one: they are the hub's structured answer,
 * not to be half-edited. The same error when it holds no secret. Empty secrets are ignored.
 */
export function withoutSecrets(error: HubRequestError, secrets: readonly (string | null | undefined)[]): HubRequestError {
  const known = secrets.filter((secret): secret is string => typeof secret === 'string' && secret !== '');
  if (known.length === 0) return error;
  const message = redactKnownSecrets(error.message, known);
  const detailsLeak = error.details !== undefined && holdsSecret(error.details, known);
  const cause = causeWithoutSecrets(error.cause, known, 0);
  if (message === error.message && !detailsLeak && cause === error.cause) return error;
  return new HubRequestError({
    kind: error.kind,
    code: error.code,
    status: error.status,
    retryAfterMs: error.retryAfterMs,
    lastSeq: error.lastSeq,
    message,
    details: detailsLeak ? undefined : error.details,
    cause,
  });
}

/** The cause itself when it holds no secret; otherwise a copy (an Error stays an Error, with its name, code and other fields). */
function causeWithoutSecrets(cause: unknown, known: string[], depth: number): unknown {
  if (typeof cause === 'string') return redactKnownSecrets(cause, known);
  if (!(cause instanceof Error)) return cause === undefined || !holdsSecret(cause, known) ? cause : redactValue(cause, known);
  if (depth >= MAX_CAUSES) return undefined;
  const message = redactKnownSecrets(cause.message, known);
  const stack = cause.stack === undefined ? undefined : redactKnownSecrets(cause.stack, known);
  const inner = causeWithoutSecrets(cause.cause, known, depth + 1);
  const fields = Object.entries(cause).map(([key, value]): [string, unknown] => [
    key,
    typeof value === 'string' ? redactKnownSecrets(value, known) : holdsSecret(value, known) ? redactValue(value, known) : value,
  ]);
  const changed =
    message !== cause.message ||
    stack !== cause.stack ||
    inner !== cause.cause ||
    fields.some(([key, value]) => value !== (cause as unknown as Record<string, unknown>)[key]);
  if (!changed) return cause;
  const copy = new Error(message, inner === undefined ? undefined : { cause: inner });
  copy.name = cause.name;
  for (const [key, value] of fields) if (key !== 'cause') (copy as unknown as Record<string, unknown>)[key] = value;
  copy.stack = stack;
  return copy;
}

function holdsSecret(value: unknown, known: string[]): boolean {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return true; // cannot be looked through: treated as holding one
  }
  return json !== undefined && redactKnownSecrets(json, known) !== json;
}
