// A refusal the hub answers with: HTTP status + protocol error body `{error:{code, message, details?}}`.
// Thrown by the transport-independent processing core; each face (HTTPS, SFTP) maps it.

export class HubProtocolError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Extra top-level fields of the error body (e.g. `lastSeq` on 410). */
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: string, message: string, options: { details?: unknown; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'HubProtocolError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.extra = options.extra ?? {};
  }

  toBody(): Record<string, unknown> {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error, ...this.extra };
  }
}
