/**
 * DSSE envelopes (secure-systems-lab/dsse envelope.md, protocol.md) carrying
 * in-toto Statements v1 (in-toto/attestation spec/v1/statement.md). The
 * signature covers the pre-authentication encoding
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with lengths as ASCII decimal byte counts, never the raw payload.
 */
import type { KeyObject } from 'node:crypto';
import type { Digest } from '../core/index.js';
import { signBytes, verifyBytesSignature } from './keys.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** Statement v0.1, which older cosign writes; read, never written. */
export const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';

export interface DsseEnvelope {
  readonly payloadType: string;
  readonly payload: string;
  readonly signatures: readonly { readonly keyid?: string; readonly sig: string }[];
}

export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

export function signEnvelope(key: KeyObject, payloadType: string, body: Buffer): DsseEnvelope {
  return {
    payloadType,
    payload: body.toString('base64'),
    signatures: [{ keyid: '', sig: signBytes(key, pae(payloadType, body)).toString('base64') }],
  };
}

export function parseEnvelope(bytes: Buffer): DsseEnvelope {
  let j: unknown;
  try {
    j = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('the DSSE envelope is not JSON');
  }
  const e = j as DsseEnvelope;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.payloadType !== 'string' ||
    typeof e.payload !== 'string' ||
    !Array.isArray(e.signatures)
  ) {
    throw new Error('the DSSE envelope lacks payloadType, payload or signatures');
  }
  if (!e.signatures.every((s) => typeof s === 'object' && s !== null && typeof s.sig === 'string')) {
    throw new Error('a DSSE signature has no "sig"');
  }
  return e;
}

/** Whether any signature of the envelope verifies with `key`. */
export function envelopeVerifies(env: DsseEnvelope, key: KeyObject): boolean {
  const body = Buffer.from(env.payload, 'base64');
  const message = pae(env.payloadType, body);
  return env.signatures.some((s) => verifyBytesSignature(key, message, Buffer.from(s.sig, 'base64')));
}

export interface Statement {
  readonly _type: string;
  readonly subject: readonly { readonly name?: string; readonly digest: Readonly<Record<string, string>> }[];
  readonly predicateType: string;
  readonly predicate?: unknown;
}

/** An in-toto Statement v1 about one image. */
export function imageStatement(name: string, digest: Digest, predicateType: string, predicate: unknown): Buffer {
  const [alg, hex] = digest.split(':') as [string, string];
  const statement: Statement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name, digest: { [alg]: hex } }],
    predicateType,
    predicate,
  };
  return Buffer.from(JSON.stringify(statement));
}

export function parseStatement(body: Buffer): Statement {
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('the in-toto statement is not JSON');
  }
  const s = j as Statement;
  if (typeof s !== 'object' || s === null || (s._type !== IN_TOTO_STATEMENT_V1 && s._type !== IN_TOTO_STATEMENT_V01)) {
    throw new Error(
      `the payload is not an in-toto Statement (_type ${JSON.stringify((s as { _type?: unknown })?._type)})`,
    );
  }
  if (!Array.isArray(s.subject) || typeof s.predicateType !== 'string')
    throw new Error('the statement lacks subject or predicateType');
  return s;
}

/** Whether the statement names the image digest among its subjects. */
export function statementCovers(s: Statement, digest: Digest): boolean {
  const [alg, hex] = digest.split(':') as [string, string];
  return s.subject.some((sub) => typeof sub?.digest === 'object' && sub.digest !== null && sub.digest[alg] === hex);
}
