// An error the agent reports to a person or a client: a stable code, a sentence, an HTTP status.
export class AgentError extends Error {
  readonly code: string;
  readonly status: number;
  /** Structured detail a client can act on (e.g. the invalid settings fields). */
  readonly details: unknown;

  constructor(code: string, message: string, status = 400, details?: unknown) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}
