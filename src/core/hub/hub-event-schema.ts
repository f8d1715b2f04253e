// The hub's event as it travels on the wire (docs/hub-protocol.md): the same JSON in an HTTPS events
// page and in an SFTP status file, so one schema checks both. Extra fields are kept: a newer hub may
// add some.
import { z } from 'zod';
import { HUB_STATUSES } from '../../contract/hub-protocol.ts';

export { HUB_STATUSES };

export const seqSchema = z.number().int().nonnegative();
const text = z.string();

export const hubEventSchema = z.looseObject({
  seq: seqSchema,
  documentId: text,
  idempotencyKey: text,
  status: z.enum(HUB_STATUSES),
  at: text,
  message: text.optional(),
  sdi: z.looseObject({ id: text, fileName: text }).optional(),
  notification: z.looseObject({ type: text, fileName: text }).optional(),
  errors: z.array(z.looseObject({ code: text, description: text })).optional(),
  files: z.array(text).optional(),
});
