/** TLS from PEM files (--tls-cert, --tls-key): both or neither, read once at start. */
import { readFileSync } from 'node:fs';
import { CustomsError } from '../../core/index.js';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export function readTls(files: Partial<TlsFiles>): TlsMaterial | undefined {
  if (files.cert === undefined && files.key === undefined) return undefined;
  if (files.cert === undefined || files.key === undefined) {
    throw new CustomsError(
      'SERVER_CONFIG_INVALID',
      `TLS needs both --tls-cert and --tls-key (got only ${files.cert !== undefined ? '--tls-cert' : '--tls-key'})`,
    );
  }
  const read = (flag: string, path: string, label: RegExp): Buffer => {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      throw new CustomsError('SERVER_CONFIG_INVALID', `${flag} ${path}: ${(e as Error).message}`, e);
    }
    if (!label.test(data.toString('latin1'))) {
      throw new CustomsError('SERVER_CONFIG_INVALID', `${flag} ${path} is not a PEM file (no ${label.source} block)`);
    }
    return data;
  };
  return {
    cert: read('--tls-cert', files.cert, /-----BEGIN CERTIFICATE-----/),
    key: read('--tls-key', files.key, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}
