/**
 * The shared secret of a registry's push endpoint (docs/registries.md "Scan on
 * push"): the registry sends it in a header with every notification. Only its
 * SHA-256 is stored (a random or long secret needs no slow hash, as API tokens);
 * verification compares hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CustomsError } from '../core/index.js';
import type { RegistryHookSecrets } from './repository.js';
import type { StoreContext } from './store-context.js';

const MIN_SECRET = 16;
const hashOf = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export function registryHookSecrets(ctx: StoreContext): RegistryHookSecrets {
  const { backend } = ctx;
  const row = (registryId: number) =>
    backend.db
      .selectFrom('registry_hook_secrets')
      .select('secret_hash')
      .where('registry_id', '=', registryId)
      .executeTakeFirst();
  return {
    async set(registryId, given) {
      if (given !== undefined && given.length < MIN_SECRET) {
        throw new CustomsError(
          'USAGE_BAD_ARGUMENT',
          `a hook secret has at least ${MIN_SECRET} characters (leave it out to get a random one)`,
        );
      }
      const secret = given ?? `csh_${randomBytes(32).toString('base64url')}`;
      const hash = hashOf(secret);
      await backend.write(async (trx) => {
        const exists = await trx.selectFrom('registries').select('id').where('id', '=', registryId).executeTakeFirst();
        if (!exists) throw new CustomsError('USAGE_BAD_ARGUMENT', `registry ${registryId} is not in the store`);
        await trx
          .insertInto('registry_hook_secrets')
          .values({ registry_id: registryId, secret_hash: hash, created_at: ctx.now() })
          .onConflict((oc) => oc.column('registry_id').doUpdateSet({ secret_hash: hash, created_at: ctx.now() }))
          .execute();
      });
      return secret;
    },
    async verify(registryId, presented) {
      const r = await row(registryId);
      if (!r) return false;
      return timingSafeEqual(Buffer.from(r.secret_hash, 'hex'), Buffer.from(hashOf(presented), 'hex'));
    },
    async has(registryId) {
      return (await row(registryId)) !== undefined;
    },
    async remove(registryId) {
      const r = await backend.db
        .deleteFrom('registry_hook_secrets')
        .where('registry_id', '=', registryId)
        .executeTakeFirst();
      return r.numDeletedRows > 0n;
    },
  };
}
