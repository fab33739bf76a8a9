import type { SecretRule } from '../rule.js';

/**
 * Private keys in PEM-style armour (RFC 7468 labels "PRIVATE KEY",
 * "ENCRYPTED PRIVATE KEY"; legacy "RSA/DSA/EC PRIVATE KEY" of OpenSSL with
 * optional RFC 1421 headers such as Proc-Type/DEK-Info; "OPENSSH PRIVATE
 * KEY" of ssh-keygen; RFC 4880 §6.2 "PGP PRIVATE KEY BLOCK" with armour
 * headers). A header alone is not a finding — code that parses keys contains
 * it — so at least 32 characters of base64 body must follow. Newlines may be
 * escaped ("\n") when the key sits in a JSON or YAML string. PuTTY keys are
 * text with "PuTTY-User-Key-File-" and a "Private-Lines:" section.
 * (Binary PKCS#12 files are skipped as binary content.)
 */
export const PRIVATE_KEY_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    category: 'private-key',
    title: 'Private key',
    severity: 'critical',
    keywords: ['private key'],
    regex:
      /-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP|SSH2 ENCRYPTED) )?PRIVATE KEY(?: BLOCK)?-----(?:\\r|\\n|\s){1,8}(?:[A-Za-z][A-Za-z0-9-]{0,40}: ?[^\n\\]{0,200}(?:\\r|\\n|\s){1,8}){0,6}(?<secret>[A-Za-z0-9+/=]{32,64})/g,
    examples: {
      positives: [
        '-----BEGIN RSA PRIVATE KEY-----\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\n-----END RSA PRIVATE KEY-----\n',
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----',
        '-----BEGIN EC PRIVATE KEY-----\r\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\r\n-----END EC PRIVATE KEY-----',
        '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,7F2A6D1C3B4E4F5A9C8D7E6F5A4B3C2D\n\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\n-----END RSA PRIVATE KEY-----',
        '-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF5xM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----',
        'key: "-----BEGIN PRIVATE KEY-----\\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\\n-----END PRIVATE KEY-----"',
        '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI3s9kLm2xQp7vAgIIADAMBggq\n-----END ENCRYPTED PRIVATE KEY-----',
      ],
      negatives: [
        "if (line === '-----BEGIN RSA PRIVATE KEY-----') return parse(lines);",
        '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
        '-----BEGIN PUBLIC KEY-----\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\n-----END PUBLIC KEY-----',
        '-----BEGIN CERTIFICATE-----\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\n-----END CERTIFICATE-----',
      ],
    },
  },
  {
    id: 'putty-private-key',
    category: 'private-key',
    title: 'PuTTY private key',
    severity: 'critical',
    keywords: ['putty-user-key-file-'],
    regex:
      /PuTTY-User-Key-File-[23]: [^\n]{1,80}\n[\s\S]{0,2000}?Private-Lines: \d{1,3}\r?\n(?<secret>[A-Za-z0-9+/=]{32,64})/g,
    examples: {
      positives: [
        'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIBX7\nAAAA\nPrivate-Lines: 1\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\nPrivate-MAC: 0123\n',
      ],
      negatives: ['PuTTY-User-Key-File-3: ssh-ed25519\n'],
    },
  },
];
