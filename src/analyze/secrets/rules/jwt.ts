import type { SecretRule } from '../rule.js';

/**
 * JSON Web Tokens (RFC 7519 / JWS compact serialisation, RFC 7515 §7.1):
 * three base64url parts separated by dots; the header is a JSON object,
 * so it starts "ey" (base64 of '{"' or '{ '), and it must name an "alg"
 * (RFC 7515 §4.1.1) — the validator decodes it. The signature may be empty
 * for unsecured JWTs ("alg": "none"), which still carry their claims.
 */
export const JWT_RULES: readonly SecretRule[] = [
  {
    id: 'jwt',
    category: 'jwt',
    title: 'JSON Web Token',
    severity: 'medium',
    keywords: ['eyj', 'eyai', 'ewog', 'ew0k'],
    regex:
      /(?<![A-Za-z0-9_-])(?<secret>e[wy][A-Za-z0-9_-]{8,1000}\.[A-Za-z0-9_-]{4,8000}\.[A-Za-z0-9_-]{0,1500})(?![A-Za-z0-9_.-])/g,
    validate: jwtHeaderHasAlg,
    examples: {
      positives: [
        'Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtYmlsbGluZyIsImV4cCI6MjE0NzQ4MzY0N30.q8r2LmZp9Vb7nQ2xLk9Zx81kqPw2c7Vq2LmZp9rTq7Wz',
        'token: eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhY21lIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2Nzg5MA',
      ],
      negatives: [
        'eyJmb28iOiJiYXIifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
        'eyJhbGciOiJIUzI1NiJ9',
        'ey.abc.def',
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl.c2lnbmF0dXJl',
      ],
    },
  },
];

/** The first part decodes (base64url) to a JSON object with a string "alg" member. */
function jwtHeaderHasAlg(token: string): boolean {
  const header = token.slice(0, token.indexOf('.'));
  try {
    const json: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return typeof json === 'object' && json !== null && typeof (json as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}
