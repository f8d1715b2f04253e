// printer-more-info and printer-supply-info-uri: a plain page saying what this printer is.
import type { PrinterQueue } from '../ipp-printer-server.ts';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export function printerPageHtml(queue: PrinterQueue, printerUri: string): string {
  const name = escapeHtml(queue.name);
  const product = escapeHtml(queue.productName ?? 'Recapito');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name}</title></head>
<body>
<h1>${name}</h1>
<p>This is the ${product} virtual printer for profile <code>${escapeHtml(queue.profileId)}</code>.
Documents printed here are not put on paper: ${product} captures them and sends them on as invoices.
Open the ${product} window to follow them.</p>
<p>Printer address: <code>${escapeHtml(printerUri)}</code>. It has no consumables.</p>
</body></html>
`;
}
