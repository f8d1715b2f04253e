import type { IppAttribute } from './attributes.ts';
import type { IppStatusName } from './tags.ts';

/**
 * A request the printer refuses: carries the IPP status to answer with and a human reason
 * (sent back as status-message, so the user sees why).
 */
export class IppRequestError extends Error {
  readonly status: IppStatusName;
  /** Attributes (or values) to name in the response's Unsupported Attributes group. */
  readonly unsupported: IppAttribute[];

  constructor(status: IppStatusName, message: string, unsupported: IppAttribute[] = []) {
    super(message);
    this.name = 'IppRequestError';
    this.status = status;
    this.unsupported = unsupported;
  }
}

/** The bytes end before the message does: more may still arrive; at end of stream it is a bad request. */
export class IppTruncatedError extends IppRequestError {
  /** The decoder needs at least this many octets in total before it can get further. */
  readonly needed: number;

  constructor(message: string, needed: number) {
    super('client-error-bad-request', message);
    this.name = 'IppTruncatedError';
    this.needed = needed;
  }
}
