/**
 * A long-lived verifier for a service (the admission webhook): one trust
 * policy file, registry clients kept open across calls, the policy re-read on
 * demand. Each call may bring its own abort signal (a webhook's deadline):
 * the answer is abandoned at once with ABORTED; the request in flight ends
 * on its own time, on a client other calls share.
 */
import { type Context, CustomsError, type Digest } from '../core/index.js';
import { RepositoryClients } from '../image/index.js';
import { loadTrustPolicy, type TrustPolicy } from './trust-policy.js';
import { type ImageVerification, verifyImageAgainstPolicy } from './verify-image.js';

export interface PolicyVerifier {
  /** The policy in force. */
  readonly policy: TrustPolicy;
  verify(image: string, digest: Digest | undefined, signal?: AbortSignal): Promise<ImageVerification>;
  /** Read the policy file again; on error the previous policy stays in force and the error is thrown. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

function abortable<T>(start: () => Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return start();
  if (signal.aborted) return Promise.reject(new CustomsError('ABORTED', `${what} cancelled`));
  const work = start();
  // An answer abandoned after the abort may still fail later: nobody is waiting for it.
  work.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CustomsError('ABORTED', `${what} cancelled`));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export async function openPolicyVerifier(file: string, ctx: Context): Promise<PolicyVerifier> {
  let policy = await loadTrustPolicy(file);
  const clients = new RepositoryClients(ctx);
  return {
    get policy() {
      return policy;
    },
    verify(image, digest, signal) {
      const current = policy;
      return abortable(
        () => verifyImageAgainstPolicy(image, current, { ctx, clients, ...(digest ? { digest } : {}) }),
        signal,
        `verification of ${image}`,
      );
    },
    async reload() {
      policy = await loadTrustPolicy(file);
    },
    close: () => clients.close(),
  };
}
