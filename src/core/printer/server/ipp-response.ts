// Builds the response message: the operation group (charset, natural language, status-message), then
// the Unsupported Attributes group, then the job or printer groups (RFC 8011 §4.1.4 and §4.1.7).
import { attr, v, type IppAttribute, type IppGroup, type IppMessage } from '../ipp/attributes.ts';
import { encodeIppMessage } from '../ipp/encoder.ts';
import { GROUP_TAG, STATUS, type IppStatusName } from '../ipp/tags.ts';
import { truncateUtf8 } from './printer-identity.ts';
import type { OperationResult } from './operation-request.ts';

export function encodeResponse(request: Pick<IppMessage, 'version' | 'requestId'> | null, result: OperationResult): Buffer {
  const operationGroup: IppAttribute[] = [attr('attributes-charset', v.charset('utf-8')), attr('attributes-natural-language', v.naturalLanguage('en'))];
  if (result.statusMessage) operationGroup.push(attr('status-message', v.text(truncateUtf8(result.statusMessage, 255))));
  const groups: IppGroup[] = [{ tag: GROUP_TAG.operation, attributes: operationGroup }];
  if (result.unsupported && result.unsupported.length > 0) groups.push({ tag: GROUP_TAG.unsupported, attributes: result.unsupported });
  groups.push(...(result.groups ?? []));
  const version = request && (request.version.major === 1 || request.version.major === 2) ? request.version : { major: 1, minor: 1 };
  return encodeIppMessage({ version, code: STATUS[result.status], requestId: request?.requestId ?? 0, groups });
}

/** An error answer: the status and the human reason, nothing else. */
export function errorResult(status: IppStatusName, statusMessage: string, unsupported?: IppAttribute[]): OperationResult {
  return unsupported ? { status, statusMessage, unsupported } : { status, statusMessage };
}
