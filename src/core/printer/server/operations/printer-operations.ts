// Get-Printer-Attributes (RFC 8011 §4.2.5) and Identify-Printer (PWG 5100.13 §5.1).
import { attr, v } from '../../ipp/attributes.ts';
import { IppRequestError } from '../../ipp/errors.ts';
import { GROUP_TAG } from '../../ipp/tags.ts';
import { DOCUMENT_FORMATS } from '../capabilities.ts';
import { readKeywords, readString, TEXT_TAGS, type OperationRequest, type OperationResult } from '../operation-request.ts';
import { printerAttributes } from '../printer-description.ts';
import { attributeSelector } from '../requested-attributes.ts';

export async function getPrinterAttributes(request: OperationRequest): Promise<OperationResult> {
  const attributes = request.operationAttributes;
  const format = readString(attributes, 'document-format', ['mimeMediaType']);
  if (format !== undefined && !DOCUMENT_FORMATS.includes(format.toLowerCase())) {
    throw new IppRequestError('client-error-document-format-not-supported', `The document format "${format}" is not supported.`, [
      attr('document-format', v.mimeMediaType(format)),
    ]);
  }
  const select = attributeSelector(readKeywords(attributes, 'requested-attributes'), ['all']);
  return {
    status: 'successful-ok',
    groups: [{ tag: GROUP_TAG.printer, attributes: printerAttributes(request.queue, request.uris, request.runtime, select) }],
  };
}

/** A virtual printer has no lights or speaker: the request is logged, where the user can see it. */
export async function identifyPrinter(request: OperationRequest): Promise<OperationResult> {
  const actions = readKeywords(request.operationAttributes, 'identify-actions') ?? ['display'];
  const message = readString(request.operationAttributes, 'message', TEXT_TAGS);
  request.runtime.log.info('identify printer requested', { queue: request.queue.profileId, actions, message: message ?? null });
  return { status: 'successful-ok' };
}
