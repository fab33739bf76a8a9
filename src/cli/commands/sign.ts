import { access, readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { CustomsError, type Context } from '../../core/index.js';
import { contextFrom } from '../options.js';

// The signing code loads when the command runs, so `--help` starts fast.
export const signLib = () => import('../../sign/index.js');

/** Registry flags of the signing commands (a subset of the image flags: nothing is analysed). */
export const registryOptions = (): Option[] => [
  new Option('--insecure', 'registries: allow plain HTTP, unverified TLS and redirects to private addresses'),
  new Option('--ca-file <file>', 'extra CA certificates (PEM) to trust for registries'),
  new Option('-q, --quiet', 'no progress output'),
  new Option('-v, --verbose', 'print debug messages'),
];

export interface RegistryFlags {
  readonly insecure?: boolean;
  readonly caFile?: string;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

export function registryContext(flags: RegistryFlags, signal: AbortSignal): Context & { finish(): void } {
  return contextFrom({ ...flags, cache: false }, signal);
}

/** Read a file a flag names; a missing file is an input error naming the flag. */
export async function readFlagFile(
  flag: string,
  path: string,
  code: 'SIGN_KEY_INVALID' | 'TRUSTED_ROOT_INVALID' = 'SIGN_KEY_INVALID',
): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CustomsError(code, `${flag} ${path}: cannot read it (${(e as Error).message})`, e);
  }
}

/** A --trusted-root file: read and parsed as JSON (its content is checked when it is used). */
export async function trustedRootFile(path: string): Promise<{ path: string; json: unknown }> {
  const text = await readFlagFile('--trusted-root', path, 'TRUSTED_ROOT_INVALID');
  try {
    return { path, json: JSON.parse(text) as unknown };
  } catch (e) {
    throw new CustomsError('TRUSTED_ROOT_INVALID', `--trusted-root ${path} is not JSON: ${(e as Error).message}`, e);
  }
}

/** Ask on the terminal without echo. */
async function prompt(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new CustomsError(
      'SIGN_KEY_PASSWORD',
      'no password: set COSIGN_PASSWORD or CUSTOMS_PASSWORD (stdin is not a terminal to ask on)',
    );
  }
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (b: Buffer): void => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(text);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new CustomsError('ABORTED', 'password prompt cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

/** The key password: COSIGN_PASSWORD (cosign's variable), CUSTOMS_PASSWORD, else a prompt. */
export async function keyPassword(confirm: boolean, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.COSIGN_PASSWORD ?? env.CUSTOMS_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  const pw = await prompt('Enter password for private key: ');
  if (confirm && (await prompt('Enter password for private key again: ')) !== pw) {
    throw new CustomsError('SIGN_KEY_PASSWORD', 'the two passwords differ');
  }
  return pw;
}

/** The private key of --key (an encrypted cosign key asks for its password only when needed). */
export async function privateKeyOf(path: string) {
  const text = await readFlagFile('--key', path);
  const sign = await signLib();
  const encrypted = text.includes(sign.SIGSTORE_PRIVATE_KEY_PEM) || text.includes(sign.COSIGN_PRIVATE_KEY_PEM);
  return sign.loadPrivateKey(text, encrypted ? await keyPassword(false) : '', path);
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function annotationsOf(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) {
    const i = a.indexOf('=');
    if (i <= 0) throw new CustomsError('USAGE_BAD_FLAG', `-a ${a}: write KEY=VALUE`);
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

function generateKeyPairCommand(): Command {
  return new Command('generate-key-pair')
    .description("Write a new ECDSA P-256 key pair in cosign's format: PREFIX.key (encrypted) and PREFIX.pub")
    .option('--output-key-prefix <prefix>', 'file name prefix', 'cosign')
    .option('--force', 'overwrite existing files')
    .addHelpText(
      'after',
      `
The private key is encrypted with a password (scrypt + NaCl secretbox, cosign's
"ENCRYPTED SIGSTORE PRIVATE KEY"): from COSIGN_PASSWORD or CUSTOMS_PASSWORD, else asked
twice on the terminal. cosign, skopeo (--sign-by-sigstore-private-key) and customs read it.

Examples:
  customs sign generate-key-pair
  COSIGN_PASSWORD=… customs sign generate-key-pair --output-key-prefix release`,
    )
    .action(async (flags: { outputKeyPrefix: string; force?: boolean }) => {
      const keyFile = `${flags.outputKeyPrefix}.key`;
      const pubFile = `${flags.outputKeyPrefix}.pub`;
      if (!flags.force) {
        for (const f of [keyFile, pubFile]) {
          const exists = await access(f).then(
            () => true,
            () => false,
          );
          if (exists) throw new CustomsError('USAGE_BAD_ARGUMENT', `${f} exists; pass --force to overwrite it`);
        }
      }
      const pair = (await signLib()).generateKeyPair(await keyPassword(true));
      await writeFile(keyFile, pair.privateKey, { mode: 0o600 });
      await writeFile(pubFile, pair.publicKey);
      process.stderr.write(`Private key written to ${keyFile}\nPublic key written to ${pubFile}\n`);
    });
}

export function signCommand(signal: AbortSignal): Command {
  const cmd = new Command('sign')
    .description('Sign an image in a registry with a key, as cosign does (the sha256-<digest>.sig tag)')
    .argument('[image]', 'image in a registry: HOST/REPO:TAG or HOST/REPO@sha256:…')
    .option('--key <file>', "private key: cosign's encrypted format (customs sign generate-key-pair) or a PKCS #8 PEM")
    .option(
      '-a, --annotation <key=value>',
      'add an entry to the signed payload\'s "optional" section (repeatable)',
      collect,
      [],
    )
    .option('--bundle', 'also push a sigstore bundle (v0.3) as an OCI 1.1 referrer of the image')
    .option('--json', 'print what was signed as JSON');
  for (const o of registryOptions()) cmd.addOption(o);
  cmd.addCommand(generateKeyPairCommand());
  cmd.addHelpText(
    'after',
    `
The signature covers the image's manifest digest and its name (the simple-signing
payload); it is pushed next to the image as cosign and skopeo push it, so
\`cosign verify --key\`, skopeo/podman (policy.json "sigstoreSigned") and
\`customs verify\` accept it. A tag is resolved to its digest first: the digest is signed.
Credentials: docker login, or CUSTOMS_REGISTRY_HOST/USERNAME/PASSWORD.

Examples:
  customs sign generate-key-pair
  customs sign registry.example.com/app:1.4 --key cosign.key
  customs sign registry.example.com/app@sha256:4f… --key cosign.key -a build=1234
  customs sign registry.example.com/app:1.4 --key cosign.key --bundle     # and a sigstore bundle referrer

Exit status: 0 signed, 2 usage error, 3 input error (image, key or password, registry).`,
  );
  cmd.action(
    async (
      image: string | undefined,
      flags: RegistryFlags & { key?: string; annotation: string[]; json?: boolean; bundle?: boolean },
    ) => {
      if (image === undefined)
        throw new CustomsError('USAGE_BAD_ARGUMENT', 'sign needs an IMAGE (or the generate-key-pair command)');
      if (flags.key === undefined) throw new CustomsError('USAGE_BAD_FLAG', 'sign needs --key FILE (a private key)');
      const annotations = annotationsOf(flags.annotation);
      const key = await privateKeyOf(flags.key);
      const ctx = registryContext(flags, signal);
      try {
        const out = await (await signLib()).signImage(image, key, ctx, {
          annotations,
          ...(flags.bundle ? { bundle: true } : {}),
        });
        ctx.finish();
        process.stdout.write(
          flags.json ? `${JSON.stringify(out, null, 2)}\n` : `Signed ${out.image}@${out.digest} (${out.tag})\n`,
        );
      } finally {
        ctx.finish();
      }
    },
  );
  return cmd;
}
