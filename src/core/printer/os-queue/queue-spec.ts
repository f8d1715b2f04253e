// Checks a QueueSpec before any command runs: a bad spec is a programming or configuration error,
// reported as a plain Error naming the field, not as a print-system failure.
import type { QueueSpec } from './queue-types.ts';

export function checkQueueSpec(spec: QueueSpec): void {
  checkText('name', spec.name, true);
  if (spec.description !== undefined) checkText('description', spec.description, false);
  if (spec.location !== undefined) checkText('location', spec.location, false);
  let url: URL;
  try {
    url = new URL(spec.uri);
  } catch {
    throw new Error(`the printer address "${spec.uri}" is not a URI (expected ipp://127.0.0.1:PORT/ipp/print/PROFILE)`);
  }
  if (url.protocol !== 'ipp:') throw new Error(`the printer address must start with ipp://, not ${url.protocol}// ("${spec.uri}")`);
  if (url.hostname === '' || url.username !== '' || url.password !== '')
    throw new Error(`the printer address needs a host and no user name or password ("${spec.uri}")`);
  if (/[\s'"\\]/.test(spec.uri)) throw new Error(`the printer address must not contain spaces, quotes or backslashes ("${spec.uri}")`);
}

function checkText(field: string, value: string, required: boolean): void {
  if (required && value.trim() === '') throw new Error(`the queue ${field} must not be empty`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new Error(`the queue ${field} must not contain control characters (line breaks, tabs): ${JSON.stringify(value)}`);
}
