import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { Command, Option } from 'commander';
import { type Context, createContext, CustomsError, type Digest, EXIT, toolVersion } from '../../core/index.js';
import type { JsonLog, TrustVerifier } from '../../admission/index.js';

// The webhook loads when the command runs, so `--help` starts fast.
const admission = () => import('../../admission/index.js');

interface AdmitFlags {
  readonly listen: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly config?: string;
  readonly store?: string;
  readonly server?: string;
  readonly token?: string;
  readonly insecure?: boolean;
  readonly caFile?: string;
  readonly failOn: string;
  readonly quiet?: boolean;
  readonly events: 'all' | 'problems';
}

interface ManifestFlags {
  readonly namespace: string;
  readonly certManager?: boolean;
  readonly mutating?: boolean;
  readonly image: string;
  readonly config?: string;
  readonly replicas: string;
}

/** HOST:PORT, [v6]:PORT. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535)
    throw new CustomsError('USAGE_BAD_FLAG', `--listen: "${text}" is not HOST:PORT (for example 0.0.0.0:8443)`);
  return { host: (m[1] ?? m[2]) as string, port };
}

async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CustomsError('USAGE_BAD_FLAG', `${flag}: cannot read ${path}: ${(e as Error).message}`, e);
  }
}

async function serve(flags: AdmitFlags, signal: AbortSignal): Promise<void> {
  if (!flags.tlsCert || !flags.tlsKey)
    throw new CustomsError(
      'ADMISSION_TLS_MISSING',
      'customs admit serves HTTPS only and needs --tls-cert and --tls-key; the API server does not call webhooks over plain HTTP',
    );
  if (flags.store && flags.server)
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      '--store and --server exclude each other: give one place to read verdicts from',
    );
  if (flags.server && !flags.token)
    throw new CustomsError(
      'USAGE_BAD_FLAG',
      '--server needs --token (or CUSTOMS_TOKEN): an API token with the ci role',
    );
  const { host, port } = parseListen(flags.listen);
  const [cert, key] = await Promise.all([
    readFlagFile('--tls-cert', flags.tlsCert),
    readFlagFile('--tls-key', flags.tlsKey),
  ]);
  const adm = await admission();
  const config = flags.config
    ? adm.parseAdmissionConfig(await readFlagFile('--config', flags.config), flags.config)
    : adm.defaultAdmissionConfig();
  const log = adm.jsonLog();
  const ctx = createContext({
    signal,
    config: { insecure: flags.insecure === true, ...(flags.caFile ? { caFile: flags.caFile } : {}) },
  });
  const image = await import('../../image/index.js');
  const resolver = {
    resolve: (ref: string, s: AbortSignal): Promise<Digest> =>
      image.resolveDigest(image.parseNormalizedReference(ref), { ...ctx, signal: AbortSignal.any([signal, s]) }),
  };
  const store = flags.store ? await (await import('../../store/index.js')).openStore(flags.store) : undefined;
  const server = flags.server ? new adm.ServerClient(flags.server, flags.token as string) : undefined;
  const sink = store ? adm.storeDecisionSink(store) : undefined;
  // A relative trustPolicy is relative to the config file, as the trust policy's own paths are to it.
  const trustFile =
    config.trustPolicy !== undefined
      ? resolvePath(flags.config ? dirname(flags.config) : '.', config.trustPolicy)
      : undefined;
  const trust = await trustVerifierOf(
    trustFile,
    config.rules.some((r) => r.trust === true),
    ctx,
    log,
  );
  const engine = await import('../../engine/index.js');
  const { parseFailOn } = await import('../../policy/index.js');
  const failOn = parseFailOn(flags.failOn);
  const controller = new adm.AdmissionController({
    config,
    // The store's event log invalidates cached outcomes at once; the server's is not followed, so
    // with --server a cached verdict is trusted for 30 s at most (docs/admission.md "Caching").
    ...(server ? { cacheTtlMs: 30_000 } : {}),
    resolver,
    ...(trust ? { trust: trust.verifier } : {}),
    ...(store ? { verdicts: adm.storeVerdicts(store), queue: adm.storeQueue(store) } : {}),
    ...(server ? { verdicts: server, queue: server } : {}),
    inlineScanner: {
      scan: async (ref, digest, s) => {
        const name = image.parseNormalizedReference(ref);
        const target = `registry:${image.formatReference({ domain: name.domain, path: name.path, digest })}`;
        const outcome = await engine.gate(target, engine.DEFAULT_SCAN_PLAN, { failOn }, { ...ctx, signal: s });
        return outcome.verdict.status;
      },
    },
    onDecision: (e) => {
      if (!flags.quiet) log('info', 'admission decision', { ...e });
      // Dry-run requests have no side effects (sideEffects: NoneOnDryRun).
      if (e.dryRun) return;
      // A clean admission at hundreds per second would flood the event log (and cost a write each):
      // by default only decisions with something to say are recorded; the log line has them all.
      const clean = e.allowed && e.results.every((r) => r.violations.length + r.errors.length + r.notes.length === 0);
      if (clean && flags.events !== 'all') return;
      sink?.push(e);
      server?.postEvent(e).catch((err: unknown) => log('warn', 'decision event not sent', { error: String(err) }));
    },
  });
  // Answer before the API server gives up (timeoutSeconds), so the reason reaches the user.
  const requestTimeoutMs = Math.max(500, config.timeoutSeconds * 1000 - 500);
  const web = adm.createWebhookServer({ controller, cert, key, log, requestTimeoutMs });
  const address = await web.listen(host, port);
  log('info', 'customs admit listening', {
    address: `${address.address}:${address.port}`,
    rules: config.rules.map((r) => `${r.name}(${r.mode})`),
    ruleSetVersion: config.version,
    failurePolicy: config.failurePolicy,
    verdicts: store ? `store ${store.location}` : server ? `server ${flags.server}` : 'none',
  });
  if (store)
    void adm
      .followStoreEvents(store, (d) => controller.invalidateDigest(d), signal)
      .catch((e: unknown) => log('error', 'store event follower stopped', { error: String(e) }));
  if (trust) trust.watch(() => controller.invalidateTrust());
  // A mounted ConfigMap changes by a symlink swap: polling the path sees it (fs.watch on the old inode would not).
  const configFile = flags.config;
  if (configFile)
    watchFile(configFile, { interval: 1000, persistent: false }, () => {
      readFile(configFile, 'utf8')
        .then((text) => {
          const next = adm.parseAdmissionConfig(text, configFile);
          if (next.version === controller.ruleSetVersion) return;
          controller.reload(next);
          log('info', 'admission config reloaded', {
            ruleSetVersion: next.version,
            rules: next.rules.map((r) => r.name),
          });
        })
        .catch((e: unknown) =>
          log('error', 'admission config not reloaded: the previous rules stay', { error: (e as Error).message }),
        );
    });
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log('info', 'customs admit shutting down: finishing requests in flight');
  await trust?.close();
  if (configFile) unwatchFile(configFile);
  await web.close();
  await sink?.flush();
  await store?.close();
  log('info', 'customs admit stopped');
}

/**
 * The trust policy verifier (src/sign's long-lived verifier: the function
 * `customs verify --policy` uses, registry clients kept open), reloaded when
 * the policy file changes: every cached outcome is then dropped, since any of
 * them may depend on it.
 */
async function trustVerifierOf(
  file: string | undefined,
  needed: boolean,
  ctx: Context,
  log: JsonLog,
): Promise<{ verifier: TrustVerifier; watch(onChange: () => void): void; close(): Promise<void> } | undefined> {
  if (!needed || file === undefined) return undefined;
  const sign = await import('../../sign/index.js');
  const verifier = await sign.openPolicyVerifier(file, ctx);
  return {
    verifier: {
      verify: async (image, digest, signal) => {
        const v = await verifier.verify(image, digest, signal);
        return { status: v.status, reasons: v.reasons };
      },
    },
    watch(onChange) {
      watchFile(file, { interval: 1000, persistent: false }, () => {
        verifier.reload().then(
          () => {
            onChange();
            log('info', 'trust policy reloaded; cached decisions dropped', { file });
          },
          (e: unknown) =>
            log('error', 'trust policy not reloaded: the previous one stays', { file, error: (e as Error).message }),
        );
      });
    },
    close: async () => {
      unwatchFile(file);
      await verifier.close();
    },
  };
}

export function admitCommand(signal: AbortSignal): Command {
  const cmd = new Command('admit')
    .description(
      'Kubernetes admission webhook (AdmissionReview v1 over HTTPS): enforce the Pod Security Standards, allowed registries, digests, signatures and scan verdicts before pods run',
    )
    .option('--listen <host:port>', 'address to serve HTTPS on', '127.0.0.1:8443')
    .option('--tls-cert <file>', 'serving certificate (PEM); required')
    .option('--tls-key <file>', 'its private key (PEM); required')
    .option(
      '--config <file>',
      'admission rules (YAML, docs/admission.md); default: PSS baseline enforced, restricted warned',
    )
    .option(
      '--store <dir|url>',
      'state store to read verdicts from and queue scans in (data directory or postgres:// URL)',
    )
    .option('--server <url>', 'customs server to read verdicts from, queue scans in and send decisions to')
    .addOption(new Option('--token <token>', 'API token for --server').env('CUSTOMS_TOKEN'))
    .option('--insecure', 'registries: allow plain HTTP and unverified TLS when resolving tags')
    .option('--ca-file <file>', 'registries: extra CA bundle (PEM)')
    .option('--fail-on <severity>', 'inline scans (cold path scan-inline): fail at this severity or above', 'critical')
    .option('--quiet', 'do not log each decision (startup, errors and shutdown are still logged)')
    .addOption(
      new Option(
        '--events <which>',
        'decisions recorded in the store or sent to the server: all, or only those that denied, warned or audited',
      )
        .choices(['all', 'problems'])
        .default('problems'),
    )
    .addHelpText(
      'after',
      `
Endpoints: POST /validate and /mutate (AdmissionReview v1), GET /healthz, /readyz, /metrics.
Every decision is one JSON line on stdout. SIGTERM stops accepting, finishes requests in flight, exits 0.

Examples:
  customs admit --listen 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key
  customs admit --listen 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key \\
      --config admission.yaml --store /var/lib/customs
  customs admit --listen 0.0.0.0:8443 --tls-cert tls.crt --tls-key tls.key \\
      --config admission.yaml --server https://customs.internal --token "$TOKEN"
  customs admit manifests --namespace customs-system | kubectl apply -f -
  customs admit manifests --cert-manager --mutating --config admission.yaml > webhook.yaml

Exit status: 0 stopped cleanly, 2 usage error (no --tls-cert/--tls-key), 3 input error (bad config, store), 4 internal error.`,
    )
    .action(async (flags: AdmitFlags) => {
      await serve(flags, signal);
      process.exitCode = EXIT.ok;
    });
  cmd
    .command('manifests')
    .description(
      'Print the Kubernetes objects that run the webhook: Namespace, ServiceAccount (no role: it calls no Kubernetes API), NetworkPolicy, ConfigMap, TLS (self-signed CA or cert-manager), Deployment, Service, PodDisruptionBudget and the WebhookConfiguration(s)',
    )
    .option('--namespace <name>', 'namespace to run in (excluded from the webhook)', 'customs-system')
    .option('--cert-manager', 'let cert-manager issue the certificate and inject the CA (Issuer + Certificate)')
    .option('--mutating', 'also a MutatingWebhookConfiguration (/mutate pins tags to digests)')
    .option('--image <ref>', 'customs image the Deployment runs', `ghcr.io/customs-dev/customs:${toolVersion()}`)
    .option('--config <file>', 'admission.yaml to put in the ConfigMap (its failurePolicy and timeoutSeconds are used)')
    .option('--replicas <n>', 'webhook replicas', '2')
    .addHelpText(
      'after',
      `
Without --cert-manager a new CA and serving certificate are generated on every run (ECDSA P-256)
and the caBundle is set; the key is in the Secret customs-admission-tls.

Examples:
  customs admit manifests | kubectl apply -f -
  customs admit manifests --namespace security --cert-manager --mutating --config admission.yaml`,
    )
    .action(async (flags: ManifestFlags) => {
      const adm = await admission();
      const configText = flags.config
        ? await readFlagFile('--config', flags.config)
        : 'rules:\n  - {name: pss-baseline, mode: enforce, pss: baseline}\n  - {name: pss-restricted, mode: warn, pss: restricted}\n';
      const config = adm.parseAdmissionConfig(configText, flags.config ?? '(default rules)');
      const replicas = Number(flags.replicas);
      if (!Number.isInteger(replicas) || replicas < 1)
        throw new CustomsError('USAGE_BAD_FLAG', `--replicas: "${flags.replicas}" is not a whole number ≥ 1`);
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(flags.namespace) || flags.namespace.length > 63)
        throw new CustomsError(
          'USAGE_BAD_FLAG',
          `--namespace: "${flags.namespace}" is not a valid namespace name (RFC 1123 label)`,
        );
      const objects = await adm.admissionManifests({
        namespace: flags.namespace,
        image: flags.image,
        certManager: flags.certManager === true,
        mutating: flags.mutating === true,
        failurePolicy: config.failurePolicy,
        timeoutSeconds: config.timeoutSeconds,
        configText,
        replicas,
      });
      process.stdout.write(adm.manifestsYaml(objects));
    });
  return cmd;
}
