import type { SecretRule } from '../rule.js';

/**
 * Payment providers. Stripe ("API keys"): secret keys sk_live_, restricted
 * keys rk_live_ (test-mode sk_test_ keys move no money and are not reported).
 * Square: production access tokens EAAA + 60, legacy sq0atp- (22) and OAuth
 * application secrets sq0csp- (43). PayPal Braintree access tokens
 * "access_token$production$<merchant id>$<32 hex>".
 */
export const PAYMENT_RULES: readonly SecretRule[] = [
  {
    id: 'stripe-secret-key',
    category: 'payment',
    title: 'Stripe live secret or restricted key',
    severity: 'critical',
    keywords: ['sk_live_', 'rk_live_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>[sr]k_live_[A-Za-z0-9]{24,247})(?![A-Za-z0-9_])/g,
    examples: {
      positives: [
        'STRIPE_SECRET_KEY=sk_live_m1ImVq4si2UHAJ2F5JSGPaBW',
        'stripe.api_key = "rk_live_jv5zI8PPfkF7QzkXiTEq0aGR"',
      ],
      negatives: ['sk_test_m1ImVq4si2UHAJ2F5JSGPaBW', 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx', 'sk_live_m1ImVq4si2'],
    },
  },
  {
    id: 'square-access-token',
    category: 'payment',
    title: 'Square access token',
    severity: 'critical',
    keywords: ['sq0atp-', 'eaaa'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>sq0atp-[A-Za-z0-9_-]{22}|EAAA[A-Za-z0-9_-]{60})(?![A-Za-z0-9_-])/g,
    entropy: 3.5,
    examples: {
      positives: [
        'SQUARE_ACCESS_TOKEN=EAAAxPDyHjNQQ5eNN4HHFF5NMvNCWLikDEyeAG9U6VEiTJV2oOV8Dw4TAqYZqIt1',
        'sq0atp-BDqIvP2Yrt8XfzTPqHb1hM',
      ],
      negatives: ['EAAAxPDyHjNQQ5eNN4HHFF5NMvNCWL', 'EAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    },
  },
  {
    id: 'square-oauth-secret',
    category: 'payment',
    title: 'Square OAuth application secret',
    severity: 'critical',
    keywords: ['sq0csp-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>sq0csp-[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: ['square_secret: sq0csp-WXX_k0ZQQCpDmZLYXp6NNs6VYi3OMC8ju0gZqZIB1GJ'],
      negatives: ['sq0csp-WXX_k0ZQQCpDmZLYXp6'],
    },
  },
  {
    id: 'braintree-access-token',
    category: 'payment',
    title: 'PayPal Braintree access token',
    severity: 'critical',
    keywords: ['access_token$production$'],
    regex: /(?<secret>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})(?![A-Za-z0-9])/g,
    examples: {
      positives: ['BRAINTREE_TOKEN=access_token$production$2z2puycvalkrij44$c8d2c11e96baca00fffc04f6f23e78a8'],
      negatives: [
        'access_token$sandbox$2z2puycvalkrij44$c8d2c11e96baca00fffc04f6f23e78a8',
        'access_token$production$<merchant>$<token>',
      ],
    },
  },
];
