import type { SecretRule } from '../rule.js';

/**
 * Version-control hosting tokens.
 * GitHub ("Behind GitHub's new authentication token formats", 2021): ghp_
 * personal, gho_ OAuth, ghu_ user-to-server, ghs_ server-to-server, ghr_
 * refresh, each with 36 base62 characters; fine-grained PATs are
 * github_pat_ + 22 + "_" + 59. GitLab ("Token overview", prefixes): glpat-
 * personal/project/group, gldt- deploy, glrt- runner authentication, glptt-
 * pipeline trigger. Bitbucket app passwords start with ATBB.
 *
 * The last six characters of a GitHub token are a CRC32 checksum, but the
 * rule does not reject tokens that fail it: a leaked token altered by a
 * copy or a placeholder-looking test value is still worth a finding, and the
 * fixed length and prefix already make false positives rare.
 */
export const VCS_RULES: readonly SecretRule[] = [
  {
    id: 'github-token',
    category: 'vcs',
    title: 'GitHub token (personal, OAuth, app or refresh)',
    severity: 'critical',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    examples: {
      positives: [
        'GITHUB_TOKEN=ghp_ZoqyTCMwBRYejxmavjGxXSIAmSdK1DEzLDiy',
        'oauth: gho_UraaM0Brpfpf2GeawnOOXG7YfI3dYDpOsqn0',
        'ghu_6moTirc9okEWS0pXTAC0WK09hKcJWxSqvNsF',
        '"ghs_2wIBgZBlkxvvK4NQTegcpXW4Pszkd7UUPUCT"',
        'refresh=ghr_FAV0I0uf36fBr6DLhF4OLe3SErko9UbYyL2v',
      ],
      negatives: [
        'ghp_ZoqyTCMwBRYejxmavjGxXSIAmSdK1DEz',
        'ghx_ZoqyTCMwBRYejxmavjGxXSIAmSdK1DEzLDiy',
        'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      ],
    },
  },
  {
    id: 'github-fine-grained-pat',
    category: 'vcs',
    title: 'GitHub fine-grained personal access token',
    severity: 'critical',
    keywords: ['github_pat_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/g,
    examples: {
      positives: [
        'token = "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"',
      ],
      negatives: ['github_pat_AFwDFqigCSzIP7UuZ2CTaC_iHchIp6OdPouM3pG', 'github_pat_<token>'],
    },
  },
  {
    id: 'gitlab-token',
    category: 'vcs',
    title: 'GitLab access, deploy or runner token',
    severity: 'critical',
    keywords: ['glpat-', 'gldt-', 'glrt-', 'gloas-', 'glsoat-'],
    regex:
      /(?<![A-Za-z0-9_-])(?<secret>(?:glpat|gldt|glrt|gloas|glsoat)-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,12})?)(?![A-Za-z0-9_-])/g,
    examples: {
      positives: [
        'CI_TOKEN=glpat-7vZScdXJdZKJBW966tsD',
        'deploy: gldt-9DzlP43meKOqrTBZnoB-',
        'token = "glrt-y1CGa-zk64szg7wUYE9h"',
      ],
      negatives: ['glpat-xxxxxxxxxxxxxxxxxxxx', 'glpat-7vZScdXJ', 'glpat-<your-token-here>'],
    },
  },
  {
    id: 'gitlab-pipeline-trigger-token',
    category: 'vcs',
    title: 'GitLab pipeline trigger token',
    severity: 'high',
    keywords: ['glptt-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>glptt-[0-9a-f]{40})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: [
        'curl -F token=glptt-bf0ea45844e4d0ba751f9357d7c7c61297bf5545 https://gitlab.example.org/api/v4/projects/1/trigger/pipeline',
      ],
      negatives: ['glptt-bf0ea45844e4'],
    },
  },
  {
    id: 'bitbucket-app-password',
    category: 'vcs',
    title: 'Bitbucket app password',
    severity: 'critical',
    keywords: ['atbb'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>ATBB[A-Za-z0-9_=.-]{28,64})(?![A-Za-z0-9_=.-])/g,
    entropy: 3.5,
    examples: {
      positives: [
        'BITBUCKET_APP_PASSWORD=ATBBbDZugRFmZloDdqxnJo9wc5YqP6g1yp8L',
        'https://ci-bot:ATBBbDZugRFmZloDdqxnJo9wc5YqP6g1yp8L@bitbucket.org/acme/app.git',
      ],
      negatives: ['ATBBATBBATBBATBBATBBATBBATBBATBBATBB', 'ATBB123'],
    },
  },
];
