// The local API token. The CLI and the desktop window open the UI at `/#token=…`: the fragment never
// reaches a server. It is kept in sessionStorage (gone when the tab closes) and removed from the
// address bar at once, so it does not end up in history, bookmarks or a screenshot.
const STORAGE_KEY = 'recapito.apiToken';

/** Takes the token from the URL fragment (then clears the fragment) or from this tab's storage. */
export function takeToken(): string | null {
  const fromHash = tokenFromHash(window.location.hash);
  if (fromHash) {
    storeToken(fromHash);
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token')?.trim();
  return token ? token : null;
}

export function storeToken(token: string): void {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // Storage may be disabled: the token then lives in memory for this page only.
  }
}

export function forgetToken(): void {
  try {
    window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}
