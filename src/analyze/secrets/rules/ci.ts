import type { SecretRule } from '../rule.js';

/**
 * CI service tokens. CircleCI personal API tokens are "CCIPAT_" + 22 + "_" +
 * 40 hex (since 2023; older ones are 40 hex, recognisable only by name).
 * Travis CI API tokens are 22 characters; Jenkins user API tokens are 32 hex
 * (34 with the "11" version prefix of Jenkins ≥ 2.129) — both only by name.
 */
export const CI_RULES: readonly SecretRule[] = [
  {
    id: 'circleci-personal-token',
    category: 'ci',
    title: 'CircleCI personal API token',
    severity: 'high',
    keywords: ['ccipat_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>CCIPAT_[A-Za-z0-9]{22}_[0-9a-f]{40})(?![A-Za-z0-9_])/g,
    examples: {
      positives: ['CIRCLE_TOKEN=CCIPAT_FpDkICozOh9KGybyeb2kTn_1d78fd83824d39f3d41ebde93e269a1993528810'],
      negatives: ['CCIPAT_FpDkICozOh9KGybyeb2kTn_1d78'],
    },
  },
  {
    id: 'circleci-token',
    category: 'ci',
    title: 'CircleCI API token',
    severity: 'high',
    keywords: ['circle'],
    regex:
      /(?<![A-Za-z0-9])circle[_.-]?(?:ci[_.-]?)?(?:api[_.-]?|personal[_.-]?)?token["']?\s{0,8}(?:=|:=|:|=>)\s{0,8}["']?(?<secret>[0-9a-f]{40})(?![A-Za-z0-9])/gi,
    examples: {
      positives: [
        'CIRCLECI_TOKEN=bf0ea45844e4d0ba751f9357d7c7c61297bf5545',
        'circle_token: "bf0ea45844e4d0ba751f9357d7c7c61297bf5545"',
      ],
      negatives: ['CIRCLECI_TOKEN=${CIRCLECI_TOKEN}', 'circle_token: 0000000000000000000000000000000000000000'],
    },
    entropy: 3,
  },
  {
    id: 'travis-ci-token',
    category: 'ci',
    title: 'Travis CI API token',
    severity: 'high',
    keywords: ['travis'],
    regex:
      /(?<![A-Za-z0-9])travis[_.-]?(?:ci[_.-]?)?(?:api[_.-]?|access[_.-]?)?token["']?\s{0,8}(?:=|:=|:|=>)\s{0,8}["']?(?<secret>[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/gi,
    entropy: 3.5,
    examples: {
      positives: ['TRAVIS_API_TOKEN=wcmty_cKitXo7f0fr9NEve', 'travis_token: "wcmty_cKitXo7f0fr9NEve"'],
      negatives: ['TRAVIS_API_TOKEN=$TRAVIS_API_TOKEN', 'travis_token: aaaaaaaaaaaaaaaaaaaaaa'],
    },
  },
  {
    id: 'jenkins-api-token',
    category: 'ci',
    title: 'Jenkins API token',
    severity: 'high',
    keywords: ['jenkins'],
    regex:
      /(?<![A-Za-z0-9])jenkins[_.-]?(?:api[_.-]?|user[_.-]?)?token["']?\s{0,8}(?:=|:=|:|=>)\s{0,8}["']?(?<secret>(?:11)?[0-9a-f]{32})(?![A-Za-z0-9])/gi,
    entropy: 3,
    examples: {
      positives: [
        'JENKINS_API_TOKEN=110ff64c6a8f7eecf6b2b37075b54f9e46',
        'jenkins_token: 0ff64c6a8f7eecf6b2b37075b54f9e46',
      ],
      negatives: ['JENKINS_API_TOKEN=<api-token>', 'jenkins_url: https://ci.acme.internal'],
    },
  },
];
