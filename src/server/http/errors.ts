/**
 * One error body for every failed request (docs/server.md "Errors"):
 * {"error": {"code", "message", "hint"}}, with the HTTP status, code and
 * hint from the error table of src/core (docs/errors.md).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CustomsError, ERROR_CODES, type ErrorCode, toCustomsError } from '../../core/index.js';

export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'A code of docs/errors.md, e.g. API_UNAUTHENTICATED' }),
      message: Type.String({ description: 'What went wrong, naming the thing and the fix' }),
      hint: Type.String({ description: 'What to do about this kind of error' }),
    }),
  },
  { description: 'The error body of every failed request' },
);
export type ErrorBody = Static<typeof ErrorBodySchema>;

export function errorBody(e: CustomsError): ErrorBody {
  return { error: { code: e.code, message: e.message, hint: ERROR_CODES[e.code].hint } };
}

/** The error responses every route documents, by status. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBodySchema> {
  return Object.fromEntries([400, 401, 403, 429, 500, ...statuses].map((s) => [s, ErrorBodySchema]));
}

/** A CustomsError for what fastify or a plugin threw. */
function customsErrorOf(e: FastifyError | CustomsError | Error): CustomsError {
  if (e instanceof CustomsError) return e;
  const f = e as FastifyError;
  if (f.validation !== undefined) {
    const where = f.validationContext ?? 'request';
    return new CustomsError(
      'API_REQUEST_INVALID',
      `${where}: ${f.message.replace(/^(body|querystring|params|headers) /, '')}`,
    );
  }
  const status = f.statusCode ?? 500;
  const byStatus: Record<number, ErrorCode> = {
    400: 'API_REQUEST_INVALID',
    401: 'API_UNAUTHENTICATED',
    403: 'API_FORBIDDEN',
    404: 'API_NOT_FOUND',
    413: 'API_REQUEST_INVALID',
    415: 'API_REQUEST_INVALID',
    429: 'API_RATE_LIMITED',
  };
  const code = byStatus[status];
  // Client errors of fastify itself (bad JSON, body too large) keep their message; others are internal.
  return code !== undefined ? new CustomsError(code, f.message, e) : toCustomsError(e);
}

/** Send an error the documented way. */
export function sendError(reply: FastifyReply, e: CustomsError): FastifyReply {
  return reply.code(e.httpStatus).type('application/json; charset=utf-8').send(errorBody(e));
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | CustomsError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const e = customsErrorOf(err);
    if (e.httpStatus >= 500) request.log.error({ err, code: e.code }, 'request failed');
    else request.log.info({ code: e.code }, e.message);
    return sendError(reply, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new CustomsError('API_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
    ),
  );
}
