// Manual approval over the local API (docs/approval.md, docs/local-api.md): approve and refuse one
// document or many (one PIN check, an answer per id), and the register of approvers. Bodies are
// checked for shape here (strict: an unknown field is refused) and for meaning by the agent
// (core/agent/approval.ts). A locked-out approver is answered 429 with Retry-After.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ROUTES } from '../../../contract/routes.ts';
import type { ApproverCredentials, DecisionOutcome } from '../../../contract/approval.ts';
import type { DocumentState } from '../../../contract/states.ts';
import { on } from './route.ts';
import type { AgentApi } from '../../agent/agent-api.ts';
import { AgentError } from '../../agent-error.ts';

// Lengths are bounded loosely here; the agent checks them with answers a person can act on.
const text = z.string().max(4096);
const credentials = { approver: text.optional(), pin: text.optional() };
const approveBody = z.strictObject(credentials);
const refuseBody = z.strictObject({ ...credentials, reason: text.optional() });
const ids = z.array(z.string().max(200)).max(10_000);
const bulkApproveBody = z.strictObject({ ...credentials, ids });
const bulkRefuseBody = z.strictObject({ ...credentials, reason: text.optional(), ids });
const voucher = z.strictObject({ approver: text, pin: text });
const newApproverBody = z.strictObject({ name: text, pin: text, osUser: text.nullable().optional(), by: voucher.optional() });
const removeApproverBody = z.strictObject({ by: voucher });

function parse<T>(schema: z.ZodType<T>, body: unknown, shape: string): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new AgentError('bad_body', `send ${shape} (${where})`, 400);
  }
  return parsed.data;
}

function credentialsOf(body: { approver?: string | undefined; pin?: string | undefined }): ApproverCredentials {
  return { ...(body.approver !== undefined ? { approver: body.approver } : {}), ...(body.pin !== undefined ? { pin: body.pin } : {}) };
}

const CREDENTIALS = '"approver"?: name, "pin"?: PIN';

export function registerApprovalRoutes(app: FastifyInstance, current: () => AgentApi): void {
  on(app, ROUTES.approve, async (request, reply) =>
    answerLockout(reply, async () => {
      const { id } = request.params as { id: string };
      const body = parse(approveBody, request.body, `{${CREDENTIALS}}`);
      return single(await current().approve([id], credentialsOf(body)));
    }),
  );

  on(app, ROUTES.refuse, async (request, reply) =>
    answerLockout(reply, async () => {
      const { id } = request.params as { id: string };
      const body = parse(refuseBody, request.body, `{"reason": text, ${CREDENTIALS}}`);
      return single(await current().refuse([id], body.reason ?? '', credentialsOf(body)));
    }),
  );

  on(app, ROUTES.approveMany, async (request, reply) =>
    answerLockout(reply, async () => {
      const body = parse(bulkApproveBody, request.body, `{"ids": [id…], ${CREDENTIALS}}`);
      return { results: await current().approve(body.ids, credentialsOf(body)) };
    }),
  );

  on(app, ROUTES.refuseMany, async (request, reply) =>
    answerLockout(reply, async () => {
      const body = parse(bulkRefuseBody, request.body, `{"ids": [id…], "reason": text, ${CREDENTIALS}}`);
      return { results: await current().refuse(body.ids, body.reason ?? '', credentialsOf(body)) };
    }),
  );

  on(app, ROUTES.approvers, async () => ({ approvers: current().approvers() }));

  on(app, ROUTES.addApprover, async (request, reply) =>
    answerLockout(reply, async () => {
      const body = parse(newApproverBody, request.body, '{"name", "pin", "osUser"?, "by"?: {"approver", "pin"}}');
      const added = await current().addApprover({
        name: body.name,
        pin: body.pin,
        osUser: body.osUser ?? null,
        ...(body.by ? { by: body.by } : {}),
      });
      return reply.code(201).send(added);
    }),
  );

  on(app, ROUTES.removeApprover, async (request, reply) =>
    answerLockout(reply, async () => {
      const { name } = request.params as { name: string };
      const body = parse(removeApproverBody, request.body, '{"by": {"approver", "pin"}}');
      await current().removeApprover(name, body);
      return { removed: name };
    }),
  );
}

/** A locked-out approver: 429 with Retry-After, besides the usual error body. */
async function answerLockout<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AgentError && error.status === 429) {
      const seconds = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (seconds) void reply.header('Retry-After', String(seconds));
    }
    throw error;
  }
}

function single(outcomes: DecisionOutcome[]): { id: string; state: DocumentState } {
  const outcome = outcomes[0];
  if (!outcome) throw new AgentError('internal', 'no decision was taken', 500);
  if (!outcome.ok) throw new AgentError(outcome.code, outcome.message, outcome.status);
  return { id: outcome.id, state: outcome.state };
}
