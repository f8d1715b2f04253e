// A refusal or failure of the local API, with the API's own message ({error:{code,message,details?}}).
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Machine-readable extras, e.g. the refused fields of an `invalid_config`. */
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Status 0: the agent did not answer at all (stopped, or the network request failed). */
export const NETWORK_ERROR_STATUS = 0;

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
