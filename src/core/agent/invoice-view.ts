// The invoice view of a stored document (GET /documents/:id/invoice) and its attachments: read from
// the spooled bytes on demand, so every document captured so far can be shown, without keeping the
// lines and attachments in the store. A file that cannot be read is a 422 with the reader's reason.
import type { InvoiceView } from '../../contract/invoice-view.ts';
import { AgentError } from '../agent-error.ts';
import { readInvoiceAttachment, readInvoiceView, type InvoiceFileKind } from '../inspect/invoice/invoice-view.ts';

export interface InvoiceFile {
  bytes: Buffer;
  kind: InvoiceFileKind;
}

export function invoiceViewOf(file: InvoiceFile): Promise<InvoiceView> {
  return unreadable(() => readInvoiceView(file.bytes, file.kind));
}

export function invoiceAttachmentOf(file: InvoiceFile, body: number, index: number): Promise<{ name: string | null; bytes: Buffer } | null> {
  return unreadable(() => readInvoiceAttachment(file.bytes, file.kind, body, index));
}

async function unreadable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentError('invoice_unreadable', `the invoice cannot be shown: ${reason}`, 422, typeof code === 'string' ? { reason: code } : undefined);
  }
}
