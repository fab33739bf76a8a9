import type { SecretRule } from '../rule.js';

/**
 * Any URL with a password in its userinfo (RFC 3986 §3.2.1
 * "scheme://user:password@host"): https, ftp, smtp, ldap, git remotes …
 * Database schemes have their own rules (database.ts) and win where both
 * match. curl(1) "-u/--user user:password" and wget(1) "--password="/
 * "--http-password=" put the password on the command line (shell scripts,
 * Dockerfile RUN lines, image history).
 */
export const URL_CREDENTIAL_RULES: readonly SecretRule[] = [
  {
    id: 'url-with-password',
    category: 'url-credentials',
    title: 'URL with embedded password',
    severity: 'high',
    keywords: ['://'],
    regex:
      /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,19}:\/\/[^\s:@/"'`<>]{1,64}:(?<secret>[^\s@/"'`<>]{1,128})@[A-Za-z0-9[._-][A-Za-z0-9._-]{0,253}/g,
    // Documentation URLs: short passwords ("abc:xyz@") and the reserved example domains (RFC 2606).
    validate: (secret, match) =>
      secret.length >= 6 &&
      !/@(?:[A-Za-z0-9-]+\.)*example\.(?:com|net|org)(?![A-Za-z0-9-])|@[A-Za-z0-9.-]*\.(?:example|test|invalid)(?![A-Za-z0-9.-])/i.test(
        match,
      ),
    examples: {
      positives: [
        'git clone https://deploy:Hq8vZ2mLx4@git.acme.internal/app.git',
        'proxy=http://svc-proxy:Nf7Kq2pZ9w@proxy.acme.io:3128',
        'ftp://backup:Wm4Rt8Zq2x@files.acme.io/dump.tgz',
      ],
      negatives: [
        'https://user:password@example.com/',
        'https://git.acme.internal/app.git',
        'http://localhost:8080/path@2x.png',
        'https://$USER:$PASSWORD@host/',
        'https://user:${TOKEN}@host/',
        'mailto:someone@acme.io',
        "urlopen('http://evil:th1ngZq9@example.com')",
        '#     http://jschmoe:xyzzy@www.bogus.net:8000/foo/bar.tml',
      ],
    },
  },
  {
    id: 'curl-user-password',
    category: 'url-credentials',
    title: 'Password on a curl or wget command line',
    severity: 'high',
    keywords: ['curl', 'wget'],
    regex:
      /(?<![A-Za-z0-9_-])(?:curl(?![A-Za-z0-9_-])[^\n|;&]{0,400}?\s(?:-u|--user)[\s=]{1,4}["']?[^\s:'"]{1,64}:(?<secret>[^\s'"]{1,128})|wget(?![A-Za-z0-9_-])[^\n|;&]{0,400}?\s--(?:http-|ftp-)?password[\s=]{1,4}["']?(?<secret2>[^\s'"]{1,128}))/g,
    examples: {
      positives: [
        'RUN curl -fsSL -u deploy:Hq8vZ2mLx4 https://nexus.acme.internal/repo/app.tgz -o /tmp/app.tgz',
        'curl --user "ci:Nf7Kq2pZ9w" https://artifacts.acme.io/x',
        'wget --http-user=ci --http-password=Wm4Rt8Zq2x https://files.acme.io/a.tgz',
      ],
      negatives: [
        'curl -u "$USER:$PASSWORD" https://host/',
        'curl -u user:password https://example.com',
        'curl -fsSL https://get.acme.io | sh',
      ],
    },
  },
];
