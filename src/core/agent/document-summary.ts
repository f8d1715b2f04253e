// The document summaries the agent's API answers with (AgentApi.documents and .document): a stored
// record plus what inspection left in its metadata, read here so the store keeps records and bytes
// and never depends on what they mean.
import type { DocumentSummary } from '../../contract/local-api.ts';
import type { DocumentRecord } from '../store/documents.ts';
import { invoiceSummaryOf, preflightReasonOf, preflightWarningsOf } from '../inspect/invoice/invoice-summary.ts';

export function toSummary(record: DocumentRecord): DocumentSummary {
  return {
    id: record.id,
    profile: record.profile,
    source: record.source,
    name: record.name,
    kind: record.kind,
    size: record.size,
    sha256: record.sha256,
    state: record.state,
    reason: record.reason,
    hubId: record.hubId,
    sdiId: record.sdiId,
    duplicateOf: record.duplicateOf,
    parentId: record.parentId,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    invoice: invoiceSummaryOf(record.metadata),
    warnings: preflightWarningsOf(record.metadata),
    reasonText: preflightReasonOf(record.state, record.metadata),
  };
}
