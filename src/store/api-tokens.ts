/**
 * API tokens: 32 random bytes, shown once as "cst_" + base64url; the store
 * keeps only their SHA-256, so a copy of the database does not hold usable
 * tokens. A random 256-bit secret needs no slow hash (no dictionary to try),
 * and lookup by the hash is an indexed equality.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { CustomsError } from '../core/index.js';
import type { ApiTokensTable } from './db-schema.js';
import type { TokenRepository } from './repository.js';
import type { StoreContext } from './store-context.js';
import { TOKEN_ROLES, type TokenRecord, type TokenRole } from './types.js';

export const TOKEN_PREFIX = 'cst_';

/** last_used_at is written at most this often per token, so verifying is not a write per request. */
export const LAST_USED_GRANULARITY_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const toToken = (r: Selectable<ApiTokensTable>): TokenRecord => ({
  id: r.id,
  name: r.name,
  role: r.role as TokenRole,
  createdBy: r.created_by,
  createdAt: r.created_at,
  ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}),
  ...(r.last_used_at !== null ? { lastUsedAt: r.last_used_at } : {}),
  ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
});

export function tokenRepository(ctx: StoreContext): TokenRepository {
  const { backend } = ctx;
  return {
    async issue(input) {
      if (!(TOKEN_ROLES as readonly string[]).includes(input.role)) {
        throw new CustomsError(
          'USAGE_BAD_ARGUMENT',
          `token role ${JSON.stringify(input.role)} is not one of ${TOKEN_ROLES.join(', ')}`,
        );
      }
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      return backend.write(async (trx) => {
        const row = await trx
          .insertInto('api_tokens')
          .values({
            name: input.name,
            role: input.role,
            token_hash: hashToken(token),
            created_by: input.createdBy,
            created_at: ctx.now(),
            expires_at: input.expiresAt ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { token, record: toToken(row) };
      });
    },
    async verify(token) {
      if (!token.startsWith(TOKEN_PREFIX)) return undefined;
      const now = ctx.now();
      const row = await backend.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst();
      if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return undefined;
      if (row.last_used_at !== null && now - row.last_used_at < LAST_USED_GRANULARITY_MS) return toToken(row);
      await backend.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
      return toToken({ ...row, last_used_at: now });
    },
    async revoke(id) {
      const r = await backend.db
        .updateTable('api_tokens')
        .set({ revoked_at: ctx.now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },
    async list() {
      const rows = await backend.db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
      return rows.map(toToken);
    },
  };
}
