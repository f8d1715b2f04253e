// An error the agent reports to a person or a client: a stable code, a sentence, an HTTP status.
export class AgentError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'AgentError';
    this.code = code;
    this.status = status;
  }
}
