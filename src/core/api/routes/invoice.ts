// The invoice view's routes (docs/ui.md, "The invoice view"): the whole invoice as JSON, and each of
// its attachments as bytes. An attachment's name and format come from the invoice file, written by
// whoever issued it: it is always sent as application/octet-stream, nosniff, as a download with a
// name reduced to safe characters, never as something the browser would render.
// Also the PDF preview's text (GET /documents/:id/pdf-text), read by the agent as at capture.
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../contract/routes.ts';
import { on } from './route.ts';
import type { AgentApi } from '../../agent/agent-api.ts';
import { AgentError } from '../../agent-error.ts';

/** Path segments of a body or attachment position: small non-negative integers only. */
function position(value: string, name: string): number {
  if (!/^\d{1,5}$/.test(value)) throw new AgentError('bad_parameter', `${name} must be a non-negative integer`, 400);
  return Number(value);
}

/** A download name: no path, no control or quote characters, ASCII fallback plus the UTF-8 form. */
export function attachmentDisposition(name: string | null, fallback: string): string {
  const base = (name ?? '')
    .replace(/^.*[\\/]/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f"\\;]/g, '_')
    .trim();
  const safe = base && base !== '.' && base !== '..' ? base.slice(0, 200) : fallback;
  const ascii = safe.replace(/[^ -~]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(safe)}`;
}

export function registerInvoiceRoutes(app: FastifyInstance, current: () => AgentApi): void {
  on(app, ROUTES.invoice, async (request) => {
    const { id } = request.params as { id: string };
    const view = await current().invoiceView(id);
    if (!view) throw new AgentError('not_found', `document ${id} is not a FatturaPA invoice (or has no stored content)`, 404);
    return view;
  });

  on(app, ROUTES.pdfText, async (request) => {
    const { id } = request.params as { id: string };
    const text = await current().pdfText(id);
    if (!text) throw new AgentError('not_found', `document ${id} is not a PDF (or has no stored content)`, 404);
    return text;
  });

  on(app, ROUTES.invoiceAttachment, async (request, reply) => {
    const params = request.params as { id: string; body: string; index: string };
    const body = position(params.body, 'body');
    const index = position(params.index, 'index');
    const attachment = await current().invoiceAttachment(params.id, body, index);
    if (!attachment) throw new AgentError('not_found', `document ${params.id} has no attachment ${index} in invoice ${body}`, 404);
    return reply
      .header('Content-Type', 'application/octet-stream')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Disposition', attachmentDisposition(attachment.name, `attachment-${body + 1}-${index + 1}.bin`))
      .send(attachment.bytes);
  });
}
