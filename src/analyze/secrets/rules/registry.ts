import type { SecretRule } from '../rule.js';

/**
 * Package-registry tokens. npm granular/automation tokens npm_ + 36; .npmrc
 * "_authToken=" (any npm-compatible registry, legacy UUID tokens too). PyPI
 * API tokens are macaroons "pypi-" + base64 whose first bytes encode
 * "pypi.org" (AgEIcHlwaS5vcmc) or "test.pypi.org" (AgENdGVzdC5weXBpLm9yZw).
 * RubyGems API keys rubygems_ + 48 hex. Docker Hub personal access tokens
 * dckr_pat_ + 27. NuGet API keys oy2 + 43 lower-case base32-ish characters.
 * Docker's config.json "auths" entries hold base64("user:password").
 */
export const REGISTRY_RULES: readonly SecretRule[] = [
  {
    id: 'npm-access-token',
    category: 'registry',
    title: 'npm access token',
    severity: 'critical',
    keywords: ['npm_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    entropy: 3.5,
    examples: {
      positives: [
        '//registry.npmjs.org/:_authToken=npm_UTNlyF7ocMEWRMAvTl2YIa1F4j5CEUtp50lK',
        'NPM_TOKEN=npm_UTNlyF7ocMEWRMAvTl2YIa1F4j5CEUtp50lK',
      ],
      negatives: ['npm_config_cache_directory_for_build_', 'npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'npmrc-auth-token',
    category: 'registry',
    title: 'npm registry auth token (.npmrc)',
    severity: 'critical',
    keywords: ['_authtoken'],
    regex: /_authToken\s{0,4}=\s{0,4}["']?(?<secret>[A-Za-z0-9._~+/=-]{20,512})/gi,
    entropy: 3,
    examples: {
      positives: ['//npm.acme.internal/:_authToken=8f2a6d1c-3b4e-4f5a-9c8d-7e6f5a4b3c2d'],
      negatives: ['//registry.npmjs.org/:_authToken=${NPM_TOKEN}', '_authToken=<token>'],
    },
  },
  {
    id: 'pypi-api-token',
    category: 'registry',
    title: 'PyPI API token',
    severity: 'critical',
    keywords: ['pypi-ag'],
    regex:
      /(?<![A-Za-z0-9_-])(?<secret>pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: [
        'password = pypi-AgEIcHlwaS5vcmcGtDStRVbVj47avonRAeCoruYkg2Ih_pl1fmAO_zuEiqm1d2X3mCJiTSUIjVJQ0zUUG_M5Q',
      ],
      negatives: ['pypi-AgEIcHlwaS5vcmc', 'pypi-token-here'],
    },
  },
  {
    id: 'rubygems-api-key',
    category: 'registry',
    title: 'RubyGems API key',
    severity: 'critical',
    keywords: ['rubygems_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>rubygems_[0-9a-f]{48})(?![A-Za-z0-9_])/g,
    examples: {
      positives: [':rubygems_api_key: rubygems_bc1244c03e050cd052d88423e05bad61b3fbc2e8873a4c31'],
      negatives: ['rubygems_api_key', 'rubygems_bc1244c03e050cd0'],
    },
  },
  {
    id: 'dockerhub-pat',
    category: 'registry',
    title: 'Docker Hub personal access token',
    severity: 'critical',
    keywords: ['dckr_pat_'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>dckr_pat_[A-Za-z0-9_-]{27,36})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: ['echo dckr_pat_q2T6Bisvf7YTddXB-O8TERD1jS3 | docker login -u acme --password-stdin'],
      negatives: ['dckr_pat_q2T6Bisvf7', 'dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'nuget-api-key',
    category: 'registry',
    title: 'NuGet API key',
    severity: 'critical',
    keywords: ['oy2'],
    regex: /(?<![A-Za-z0-9])(?<secret>oy2[a-z0-9]{43})(?![A-Za-z0-9])/g,
    entropy: 3.5,
    examples: {
      positives: ['dotnet nuget push app.nupkg --api-key oy26g92a7rvw9g3750rrftvwg2ysdj5hyidipn844inck4'],
      negatives: ['oy26g92a7rvw9g3750', 'oy2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    },
  },
  {
    id: 'docker-config-auth',
    category: 'registry',
    title: 'Registry credentials in Docker config.json',
    severity: 'critical',
    keywords: ['"auth"'],
    regex: /"auth"\s{0,8}:\s{0,8}"(?<secret>[A-Za-z0-9+/]{8,1000}={0,2})"/g,
    validate: decodesToUserPassword,
    examples: {
      positives: ['{"auths":{"registry.acme.io":{"auth":"Y2ktYm90OlNkOWtMbTJ4UXA3dg=="}}}'],
      negatives: ['{"auths":{"registry.acme.io":{"auth":""}}}', '{"auth":"bm9jb2xvbmhlcmU="}', '{"auth":"dXNlcjo="}'],
    },
  },
];

/** base64 of "user:password" with both parts non-empty and printable (Docker's config.json "auth"). */
function decodesToUserPassword(value: string): boolean {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon > 0 && colon < text.length - 1 && /^[\x20-\x7e]+$/.test(text);
}
