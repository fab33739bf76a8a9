/**
 * Dashboard login (docs/dashboard.md "Login"): an API token or a user name and
 * password buys a server-side session whose id travels in an HttpOnly,
 * SameSite=Strict cookie (Secure when the server speaks TLS). The session
 * carries the role of the token or user, and http/auth.ts applies the REST
 * API's route roles to it exactly as to a bearer token. Admins create users.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CustomsError } from '../../core/index.js';
import { MIN_PASSWORD_LENGTH, TOKEN_ROLES, type TokenRole } from '../../store/index.js';
import type { RoutePlugin } from '../context.js';
import { body, errorResponses } from '../http/index.js';
import { bearerToken, SESSION_COOKIE, sessionCookie } from '../http/auth.js';

/** How long a dashboard session lives (a working day); logging in again starts a new one. */
export const SESSION_TTL_MS = 12 * 3_600_000;

const Role = Type.Union(TOKEN_ROLES.map((r) => Type.Literal(r)));
const SessionSchema = Type.Object({
  name: Type.String({ description: 'Who the session acts as: user:<name> or the token name' }),
  role: Role,
  expiresAt: Type.Optional(Type.Integer({ description: 'ms since the epoch (cookie sessions)' })),
});
const LoginSchema = Type.Union([
  Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  Type.Object(
    {
      user: Type.String({ minLength: 1, maxLength: 100 }),
      password: Type.String({ minLength: 1, maxLength: 1000 }),
    },
    { additionalProperties: false },
  ),
]);
const WhoamiSchema = Type.Object({
  authenticated: Type.Boolean(),
  name: Type.Optional(Type.String()),
  role: Type.Optional(Role),
  expiresAt: Type.Optional(Type.Integer()),
});
const UserSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Role,
  createdBy: Type.String(),
  createdAt: Type.Integer(),
  disabledAt: Type.Optional(Type.Integer()),
});

function setCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeS: number): void {
  const attrs = [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeS.toString()}`,
  ];
  if (request.protocol === 'https') attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

/** Login is public, so the auth hook's Origin check does not run: a login from another site is refused here. */
function crossSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== `${request.protocol}://${request.host}`;
}

export const sessionRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = ctx;

  app.post(
    '/api/v1/session',
    {
      config: { access: 'public' },
      schema: {
        tags: ['session'],
        summary: 'Log in to the dashboard with an API token or a user name and password (sets the session cookie)',
        body: LoginSchema,
        response: { 200: SessionSchema, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      if (crossSite(request))
        throw new CustomsError(
          'API_FORBIDDEN',
          'a dashboard login must come from the dashboard itself (Origin mismatch)',
        );
      const b = request.body;
      let session: { subject: string; role: TokenRole; userId?: number; tokenId?: number };
      if ('token' in b) {
        const token = await store.tokens.verify(b.token);
        if (!token) throw new CustomsError('API_UNAUTHENTICATED', 'the API token is unknown, revoked or expired');
        session = { subject: token.name, role: token.role, tokenId: token.id };
      } else {
        const user = await store.users.verify(b.user, b.password);
        if (!user) throw new CustomsError('API_UNAUTHENTICATED', 'the user name or password is wrong');
        session = { subject: `user:${user.name}`, role: user.role, userId: user.id };
      }
      const { id, record } = await store.sessions.create({ ...session, ttlMs: SESSION_TTL_MS });
      setCookie(request, reply, id, Math.floor(SESSION_TTL_MS / 1000));
      request.actor = { name: record.subject, address: request.ip, sessionRole: record.role };
      return body({ name: record.subject, role: record.role, expiresAt: record.expiresAt });
    },
  );

  app.get(
    '/api/v1/session',
    {
      // Public, so a browser that is not logged in learns it without an error response.
      config: { access: 'public' },
      schema: {
        tags: ['session'],
        summary: 'Who the caller is (a session cookie or a bearer token): authenticated, name and role',
        response: { 200: WhoamiSchema, ...errorResponses() },
      },
    },
    async (request) => {
      const secret = bearerToken(request);
      if (secret !== undefined) {
        const token = await store.tokens.verify(secret);
        return body(token ? { authenticated: true, name: token.name, role: token.role } : { authenticated: false });
      }
      const id = sessionCookie(request);
      const session = id !== undefined ? await store.sessions.get(id) : undefined;
      return body(
        session
          ? { authenticated: true, name: session.subject, role: session.role, expiresAt: session.expiresAt }
          : { authenticated: false },
      );
    },
  );

  app.delete(
    '/api/v1/session',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['session'],
        summary: 'Log out: the session is deleted on the server and the cookie cleared',
        response: { 204: Type.Null({ description: 'Logged out' }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const id = sessionCookie(request);
      if (id !== undefined) await store.sessions.remove(id);
      setCookie(request, reply, '', 0);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['session'],
        summary: 'Dashboard users',
        response: { 200: Type.Object({ items: Type.Array(UserSchema) }), ...errorResponses() },
      },
    },
    async () => body({ items: await store.users.list() }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['session'],
        summary: 'Create a dashboard user (the password is stored scrypt-hashed)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' }),
            role: Role,
            password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, ...errorResponses(409) },
      },
    },
    async (request, reply) => {
      const user = await store.users.create({ ...request.body, createdBy: request.actor?.name ?? 'anonymous' });
      return reply.code(201).send(user);
    },
  );
};
