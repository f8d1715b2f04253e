// An error in words a person can act on: "the agent does not answer", or the API's own message.
import { useI18n } from '../i18n/i18n.tsx';
import { ApiError, NETWORK_ERROR_STATUS } from '../api/api-error.ts';
import type { Messages } from '../i18n/messages-it.ts';

export function describeError(t: Messages, error: unknown): string {
  if (error instanceof ApiError && error.status === NETWORK_ERROR_STATUS) return t.agentUnreachable;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {describeError(t, error)}
    </p>
  );
}
