// The one origin the desktop window may show and talk to: the local UI served by the core's local
// API on the loopback address. Everything here is pure and tested.

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * The origin of the local UI from the local API's URL (`http://127.0.0.1:7420`). Refuses anything
 * that is not plain http on a loopback address: the window must never show a remote page.
 */
export function uiOriginFrom(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Error(`The local API address "${apiUrl}" is not a valid URL.`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTNAMES.has(url.hostname)) {
    throw new Error(`The local API address "${apiUrl}" is not http on a loopback address; the desktop window shows only the local UI.`);
  }
  return url.origin;
}

/** The origin of `url`, or null when it has none (opaque: data:, javascript:, file:, garbage). */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.origin === 'null' ? null : parsed.origin;
  } catch {
    return null;
  }
}

/** Whether the window may navigate to `url`: only pages of the local UI itself. */
export function isAllowedNavigation(url: string, uiOrigin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Credentials in a URL are a classic spoofing trick; the UI never needs them.
  if (parsed.username !== '' || parsed.password !== '') return false;
  return parsed.protocol === 'http:' && parsed.origin === uiOrigin;
}

/**
 * Whether the window's session may make this request at all: the UI's own origin (pages, API,
 * event stream), inline data the CSP already governs, and DevTools when they are enabled.
 */
export function isAllowedRequest(url: string, uiOrigin: string, options: { devTools?: boolean } = {}): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  switch (parsed.protocol) {
    case 'http:':
      return parsed.origin === uiOrigin;
    case 'ws:':
      return `http://${parsed.host}` === uiOrigin;
    case 'blob:':
      return parsed.origin === uiOrigin; // blob:http://127.0.0.1:7420/<uuid>
    case 'data:':
      return true;
    case 'devtools:':
      return options.devTools === true;
    default:
      return false;
  }
}
