import { isPlaceholder } from '../placeholder.js';
import type { SecretRule } from '../rule.js';

/**
 * Generic assignments "NAME = value" where NAME ends in a credential word
 * (password, secret, token, api key …), in the syntaxes of .env, shell,
 * properties, INI, YAML, JSON, TOML and most languages' string literals, plus
 * XML elements (<password>…</password>, as in Maven's settings.xml).
 *
 * These rules see every config file and much source code, so values are
 * filtered hard: a minimum length, a minimum Shannon entropy, no
 * placeholders (placeholder.ts), and nothing that looks like code rather than
 * data — a variable or attribute reference, a function call, a file path or a
 * bare word.
 */

/** The separator between the name and the value: =, :, :=, =>, with optional quote after the name. */
const SEP = String.raw`["']?\s{0,4}(?:=|:=|:|=>)\s{0,4}`;
/**
 * A quoted value (quotes must match) or an unquoted one that ends at a
 * delimiter — not at "(" or "[", which make it a call or an index (code).
 */
const VALUE = String.raw`(?:"(?<secretDq>[^"\s\\]{1,200})"|'(?<secretSq>[^'\s\\]{1,200})'|(?<secret>[^\s"'\`;,(){}\[\]<>]{1,200})(?![^\s"'\`;,)}\]<>]))`;

function assignmentRule(
  id: string,
  title: string,
  names: string,
  keywords: readonly string[],
  entropy: number,
  minLength: number,
): SecretRule {
  return {
    id,
    category: 'generic',
    title,
    severity: 'high',
    keywords,
    // The match starts at the credential word, so the regex engine can look for it
    // directly; "DB_PASSWORD=…" matches from "PASSWORD". The word must end the name.
    regex: new RegExp(`(?:${names})${SEP}${VALUE}`, 'gi'),
    entropy,
    validate: (value) => value.length >= minLength && !looksLikeCode(value),
  };
}

/**
 * Code, not data: attribute or variable references (config.password,
 * os.environ, self.token), calls, file paths, bare words and numbers.
 */
export function looksLikeCode(value: string): boolean {
  if (isPlaceholder(value)) return true;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$/.test(value)) return true;
  // Bare words and identifiers (password = passwordInput) and numbers; real passwords mix in digits or symbols.
  if (/^[A-Za-z_-]+$/.test(value) || /^[0-9.]+$/.test(value)) return true;
  // Alternations and lists ("NN|ZZ|QQ") and sentinel strings ("?NonExpressionParenEnd").
  if (value.includes('|') || value.startsWith('?')) return true;
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(value)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return true;
  if (/^[A-Za-z_][A-Za-z0-9_]*(?:\[|\(|::)/.test(value)) return true;
  return false;
}

export const GENERIC_RULES: readonly SecretRule[] = [
  {
    ...assignmentRule(
      'generic-password',
      'Password in an assignment',
      'password|passwd|passphrase|pwd',
      ['pass', 'pwd'],
      2.8,
      8,
    ),
    examples: {
      positives: [
        'DB_PASSWORD=Zx81!kqPw2vL',
        'password: "GkdmsApK^XjHBx"',
        '"adminPassword": "Tr0ub4dor&3x"',
        'spring.datasource.password=c7Vq2LmZp9',
      ],
      negatives: [
        'DB_PASSWORD=${DB_PASSWORD}',
        'password: changeme',
        'password = config.db.password',
        'password = getenv("DB_PASSWORD")',
        'PASSWORD_FILE=/run/secrets/db_password',
        'password: <password>',
        'password = "hunter2"',
        'password_min_length = 12',
        'password: ""',
        'pwd=$(pwd)',
        'password=aaaaaaaaaaaa',
        'passwd: elevated-privileges 2755 root/shadow [usr/bin/chage]',
        ';*passwd:*all*authentication*tokens*updated*successfully*',
      ],
    },
  },
  {
    ...assignmentRule(
      'generic-secret',
      'Secret in an assignment',
      `secret|client[_.-]?secret|secret[_.-]?key|signing[_.-]?key|encryption[_.-]?key|private[_.-]?key`,
      ['secret', 'signing', 'encryption', 'private'],
      3.5,
      12,
    ),
    examples: {
      positives: [
        'DJANGO_SECRET_KEY=q8r2LmZp9Vb7nQ2xLk9Zx81kqPw2c7',
        'client_secret: "rPXFoJHP1BRhlyVZxUprLyqEdjrFYO4i"',
      ],
      negatives: [
        'secret_key = os.environ["SECRET_KEY"]',
        'client_secret: <client-secret>',
        'SECRET_KEY=please-change-this-secret',
        'secret: 12345678901234567',
      ],
    },
  },
  {
    ...assignmentRule(
      'generic-token',
      'Token in an assignment',
      `token|access[_.-]?token|auth[_.-]?token|api[_.-]?token|bearer[_.-]?token|refresh[_.-]?token`,
      ['token'],
      3.5,
      16,
    ),
    examples: {
      positives: ['AUTH_TOKEN=rPXFoJHP1BRhlyVZxUprLyqEdjrFYO4i', 'access_token: "d3ef126249685210bc43883bf67bd6fb"'],
      negatives: [
        'token = request.headers.token',
        'csrf_token = generate_token()',
        'TOKEN=$CI_JOB_TOKEN',
        'token_type: bearer_access_token',
        'nextLastSignificantToken = "?NonExpressionParenEnd"',
        "token = 'npm_default-test-token'",
        'var simpleAMtoken = "NN|ZZ|QQ|RR|CC|TT|AA|EE|sqrt|dx|dy"',
      ],
    },
  },
  {
    ...assignmentRule(
      'generic-api-key',
      'API key in an assignment',
      `api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?key|app[_.-]?key|master[_.-]?key`,
      ['api', 'key'],
      3.5,
      16,
    ),
    examples: {
      positives: [
        'OPENWEATHER_API_KEY=rPXFoJHP1BRhlyVZxUprLyqEdjrFYO4i',
        '"apiKey": "bf0ea45844e4d0ba751f9357d7c7c612"',
      ],
      negatives: [
        'api_key = settings.API_KEY',
        'apiKey: process.env.API_KEY',
        'API_KEY=your-api-key-here',
        'api_key_header = X-Api-Key-Header-Name',
      ],
    },
  },
  {
    id: 'generic-xml-credential',
    category: 'generic',
    title: 'Credential in an XML element',
    severity: 'high',
    keywords: ['password>', 'secret>', 'token>', 'apikey>', 'passphrase>'],
    regex:
      /<(?<tag>password|passphrase|secret|token|apiKey|api_key|privateKeyPassphrase)>\s{0,4}(?<secret>[^<\s]{8,200})\s{0,4}<\/\k<tag>>/gi,
    entropy: 2.8,
    validate: (value) => !looksLikeCode(value),
    examples: {
      positives: ['<server><id>nexus</id><username>deploy</username><password>Vb7nQ2xLk9!z</password></server>'],
      negatives: [
        '<password>${env.NEXUS_PASSWORD}</password>',
        '<password></password>',
        '<password>changeme</password>',
      ],
    },
  },
];
