import type { SecretRule } from '../rule.js';

/**
 * Cloud provider credentials: AWS, Google Cloud, Azure.
 * Formats: AWS IAM "Understanding unique ID prefixes" (AKIA long-term, ASIA
 * temporary access key IDs; base32 [A-Z2-7], 20 characters); Google API keys
 * (AIza + 35); GCP service-account key JSON ("private_key" holding a PKCS#8
 * PEM); Azure Storage connection strings (AccountKey = base64 of 64 bytes),
 * service SAS (sv=… sig=…, "Create a service SAS"), Entra ID client secrets
 * (3 characters, a digit, "Q~", 31–34 characters).
 */
export const CLOUD_RULES: readonly SecretRule[] = [
  {
    id: 'aws-access-key-id',
    category: 'cloud',
    title: 'AWS access key ID',
    severity: 'high',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    regex: /(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])/g,
    examples: {
      positives: ['aws_access_key_id = AKIA22OZTXHHQPNDVW3L', 'export AWS_ACCESS_KEY_ID="ASIAC2E42EK6R7MAMIRK"'],
      // AWS's documented example key; lower case; base32 excludes 0, 1, 8, 9; too long.
      negatives: ['AKIAIOSFODNN7EXAMPLE', 'akia22oztxhhqpndvw3l', 'AKIA22OZTXHHQPNDVW81', 'AKIA22OZTXHHQPNDVW3LXYZ'],
    },
  },
  {
    id: 'aws-secret-access-key',
    category: 'cloud',
    title: 'AWS secret access key',
    severity: 'critical',
    keywords: ['secret_access_key', 'secretaccesskey', 'secret-access-key', 'aws_secret', 'aws-secret', 'awssecret'],
    // The 40-character key is only recognisable next to its name (credentials file, env, JSON, YAML).
    regex:
      /(?<![A-Za-z0-9])(?:aws[_.-]?secret[_.-]?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)["']?\s{0,8}(?:=|:=|:|=>)\s{0,8}["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    entropy: 3.5,
    examples: {
      positives: [
        'aws_secret_access_key = dofDgTjGdThBYS9CQUo7D73WNNfcaqDKIsVwpfmi',
        'AWS_SECRET_ACCESS_KEY="dofDgTjGdThBYS9CQUo7D73WNNfcaqDKIsVwpfmi"',
        '{"SecretAccessKey": "dofDgTjGdThBYS9CQUo7D73WNNfcaqDKIsVwpfmi"}',
      ],
      negatives: [
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}',
        'aws_secret_access_key = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      ],
    },
  },
  {
    id: 'gcp-api-key',
    category: 'cloud',
    title: 'Google API key',
    severity: 'high',
    keywords: ['aiza'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: [
        'GOOGLE_API_KEY=AIzaCizAANkiMpLJBxTeuTMNW9QRq1UodrfwT8A',
        'key: "AIzaCizAANkiMpLJBxTeuTMNW9QRq1UodrfwT8A"',
      ],
      negatives: [
        'AIzaCizAANkiMpLJBxTeuTMNW9QRq1Uodrfw',
        'AIzaCizAANkiMpLJBxTeuTMNW9QRq1UodrfwT8AAAA',
        'AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
      ],
    },
  },
  {
    id: 'gcp-service-account-key',
    category: 'cloud',
    title: 'Google Cloud service account private key',
    severity: 'critical',
    keywords: ['"private_key"'],
    // The key JSON escapes newlines in the PEM as \n.
    regex:
      /"private_key"\s{0,8}:\s{0,8}"-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\r|\\n|\s){1,8}(?<secret>[A-Za-z0-9+/=]{32,64})/g,
    examples: {
      positives: [
        '{"type": "service_account", "private_key_id": "5f1c", "private_key": "-----BEGIN PRIVATE KEY-----\\nM0xnZRI01U3A5v50dRLqV8Q4gMQqxh4M0oWkZDpt/9ZHtUDqe0XXSOR/md3pLvtj\\n-----END PRIVATE KEY-----\\n"}',
      ],
      negatives: [
        '{"private_key": ""}',
        '{"private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"}',
      ],
    },
  },
  {
    id: 'azure-storage-account-key',
    category: 'cloud',
    title: 'Azure Storage account key',
    severity: 'critical',
    keywords: ['accountkey'],
    regex: /AccountKey\s{0,4}=\s{0,4}(?<secret>[A-Za-z0-9+/]{86}==)/gi,
    examples: {
      positives: [
        'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=/c6WOVeGbNvPZ0lKy9BRFGntVKTmMxmeX7bcOYc17vetyFpsM3ZP32oozOy4mN/U0bbvL7/CKxndyOntAjIteG==;EndpointSuffix=core.windows.net',
      ],
      negatives: [
        'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=<your-account-key>;EndpointSuffix=core.windows.net',
        'AccountKey=${STORAGE_KEY}',
      ],
    },
  },
  {
    id: 'azure-sas-token',
    category: 'cloud',
    title: 'Azure shared access signature',
    severity: 'high',
    keywords: ['sig='],
    // sv= (signed version) comes before sig= in every SAS the SDKs and the portal produce.
    regex: /(?<![A-Za-z0-9])sv=\d{4}-\d{2}-\d{2}&[^\s"'<>]{0,400}?[?&]sig=(?<secret>[A-Za-z0-9%+/]{40,100})/g,
    examples: {
      positives: [
        'https://acme.blob.core.windows.net/c/b.txt?sp=r&st=2024-01-01T00:00:00Z&se=2030-01-01T00:00:00Z&spr=https&sv=2022-11-02&sr=b&sig=ic5na4CMQItAVHlcj7qkO7eMaX4EJm8pv7r46LKh9Ua%3D',
      ],
      negatives: ['?sv=2022-11-02&sr=b&sig=<signature>', 'sig=ic5na4CMQItAVHlcj7qkO7eMaX4EJm8pv7r46LKh9Ua%3D'],
    },
  },
  {
    id: 'azure-client-secret',
    category: 'cloud',
    title: 'Azure Entra ID (AD) client secret',
    severity: 'high',
    keywords: ['q~'],
    regex: /(?<![A-Za-z0-9_~.-])(?<secret>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g,
    examples: {
      positives: ['AZURE_CLIENT_SECRET=Tof8Q~IX.imAJ64XqQaIsFwPy.pb7x3.MRSpw8MT'],
      negatives: ['Tof8Q~IX.imAJ64', 'ToffQ~IX.imAJ64XqQaIsFwPy.pb7x3.MRSpw8MT'],
    },
  },
];
