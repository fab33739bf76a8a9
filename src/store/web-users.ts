/**
 * Dashboard users and sessions (docs/dashboard.md "Login"). Passwords are
 * hashed with scrypt (RFC 7914) and a random salt; verification compares in
 * constant time and hashes even for an unknown name, so the answer's timing
 * does not tell which names exist. A session id is 32 random bytes shown to
 * the browser once (in its cookie); the store keeps only its SHA-256, like
 * API tokens (api-tokens.ts), so a copy of the database holds no usable
 * session.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import { conflictAs } from './backend.js';
import type { WebSessionsTable, WebUsersTable } from './db-schema.js';
import type { StoreContext } from './store-context.js';
import { TOKEN_ROLES, type TokenRole } from './types.js';

export interface UserRecord {
  readonly id: number;
  readonly name: string;
  readonly role: TokenRole;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly disabledAt?: number;
}

export interface UserInput {
  readonly name: string;
  readonly role: TokenRole;
  readonly password: string;
  readonly createdBy: string;
}

export interface UserRepository {
  /** STORE_CONFLICT for a taken name; USAGE_BAD_ARGUMENT for a role or password that cannot be used. */
  create(input: UserInput): Promise<UserRecord>;
  /** The user, when the name exists, is enabled and the password matches. */
  verify(name: string, password: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
}

export interface SessionRecord {
  /** Who the session acts as: "user:<name>" or the API token's name. */
  readonly subject: string;
  readonly role: TokenRole;
  readonly userId?: number;
  readonly tokenId?: number;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface SessionInput {
  readonly subject: string;
  readonly role: TokenRole;
  readonly userId?: number;
  readonly tokenId?: number;
  readonly ttlMs: number;
}

export interface SessionRepository {
  /** A new session; the id is returned once and stored hashed. Expired sessions are purged on the way. */
  create(input: SessionInput): Promise<{ readonly id: string; readonly record: SessionRecord }>;
  /** The live session of this id (not expired, its user not disabled, its token not revoked). */
  get(id: string): Promise<SessionRecord | undefined>;
  remove(id: string): Promise<boolean>;
}

/** Minimum password length (NIST SP 800-63B §5.1.1.2: at least 8 characters). */
export const MIN_PASSWORD_LENGTH = 8;
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;
const SESSION_PREFIX = 'css_';

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** "scrypt$N$r$p$salt$key" (base64url), so the parameters can rise later without a migration. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function checkPassword(password: string, encoded: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = encoded.split('$');
  if (alg !== 'scrypt' || n === undefined || r === undefined || p === undefined || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(
    password,
    Buffer.from(salt, 'base64url'),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash for unknown names, so they cost the same scrypt as known ones. */
let decoy: Promise<string> | undefined;

const hashSession = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

const toUser = (r: Selectable<WebUsersTable>): UserRecord => ({
  id: r.id,
  name: r.name,
  role: r.role as TokenRole,
  createdBy: r.created_by,
  createdAt: r.created_at,
  ...(r.disabled_at !== null ? { disabledAt: r.disabled_at } : {}),
});

const toSession = (r: Selectable<WebSessionsTable>): SessionRecord => ({
  subject: r.subject,
  role: r.role as TokenRole,
  ...(r.user_id !== null ? { userId: Number(r.user_id) } : {}),
  ...(r.token_id !== null ? { tokenId: Number(r.token_id) } : {}),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

export function userRepository(ctx: StoreContext): UserRepository {
  const { backend } = ctx;
  return {
    async create(input) {
      if (!(TOKEN_ROLES as readonly string[]).includes(input.role)) {
        throw new CustomsError(
          'USAGE_BAD_ARGUMENT',
          `user role ${JSON.stringify(input.role)} is not one of ${TOKEN_ROLES.join(', ')}`,
        );
      }
      if (input.password.length < MIN_PASSWORD_LENGTH) {
        throw new CustomsError(
          'USAGE_BAD_ARGUMENT',
          `the password of user "${input.name}" is shorter than ${MIN_PASSWORD_LENGTH.toString()} characters; choose a longer one`,
        );
      }
      const passwordHash = await hashPassword(input.password);
      return conflictAs(`user "${input.name}" already exists; choose another name`, () =>
        backend.write(async (trx) =>
          toUser(
            await trx
              .insertInto('web_users')
              .values({
                name: input.name,
                role: input.role,
                password_hash: passwordHash,
                created_by: input.createdBy,
                created_at: ctx.now(),
                disabled_at: null,
              })
              .returningAll()
              .executeTakeFirstOrThrow(),
          ),
        ),
      );
    },
    async verify(name, password) {
      const row = await backend.db.selectFrom('web_users').selectAll().where('name', '=', name).executeTakeFirst();
      if (!row) {
        decoy ??= hashPassword(randomBytes(16).toString('hex'));
        await checkPassword(password, await decoy);
        return undefined;
      }
      const ok = await checkPassword(password, row.password_hash);
      return ok && row.disabled_at === null ? toUser(row) : undefined;
    },
    async list() {
      return (await backend.db.selectFrom('web_users').selectAll().orderBy('id').execute()).map(toUser);
    },
  };
}

export function sessionRepository(ctx: StoreContext): SessionRepository {
  const { backend } = ctx;
  return {
    async create(input) {
      const id = SESSION_PREFIX + randomBytes(32).toString('base64url');
      const now = ctx.now();
      const row = await backend.write(async (trx) => {
        await trx.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
        return trx
          .insertInto('web_sessions')
          .values({
            id_hash: hashSession(id),
            subject: input.subject,
            role: input.role,
            user_id: input.userId ?? null,
            token_id: input.tokenId ?? null,
            created_at: now,
            expires_at: now + input.ttlMs,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return { id, record: toSession(row) };
    },
    async get(id) {
      if (!id.startsWith(SESSION_PREFIX)) return undefined;
      const row = await backend.db
        .selectFrom('web_sessions')
        .selectAll()
        .where('id_hash', '=', hashSession(id))
        .where('expires_at', '>', ctx.now())
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.user_id !== null) {
        const user = await backend.db
          .selectFrom('web_users')
          .select('disabled_at')
          .where('id', '=', Number(row.user_id))
          .executeTakeFirst();
        if (!user || user.disabled_at !== null) return undefined;
      }
      if (row.token_id !== null) {
        const token = await backend.db
          .selectFrom('api_tokens')
          .select(['revoked_at', 'expires_at'])
          .where('id', '=', Number(row.token_id))
          .executeTakeFirst();
        if (!token || token.revoked_at !== null || (token.expires_at !== null && token.expires_at <= ctx.now()))
          return undefined;
      }
      return toSession(row);
    },
    async remove(id) {
      const r = await backend.db.deleteFrom('web_sessions').where('id_hash', '=', hashSession(id)).executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
