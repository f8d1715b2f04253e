// Saves downloaded bytes as a file. A plain <a href> cannot carry the Authorization header, so the
// UI fetches with the token and hands the browser a short-lived blob: URL.
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The download has started by now; the URL only has to outlive the click.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
