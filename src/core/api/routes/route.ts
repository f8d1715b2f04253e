// Registers a route of the contract's table (src/contract/routes.ts) with its method, path, access
// and body type, so the server answers exactly the routes the clients are built from; the handler
// must answer the route's type (or send bytes itself through the reply).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnswerOf, Route } from '../../../contract/routes.ts';

export function on<R extends Route<unknown, unknown, string>>(
  app: FastifyInstance,
  route: R,
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<AnswerOf<R> | FastifyReply>,
): void {
  app.route({
    method: route.method,
    url: route.path,
    config: route.access === 'public' ? { access: 'public', body: route.body } : { body: route.body },
    handler,
  });
}
