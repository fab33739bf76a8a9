import type { SecretRule } from '../rule.js';

/**
 * Database connection URLs with a password in the userinfo (RFC 3986 §3.2.1,
 * "user:password@"; deprecated there, but every driver still accepts it):
 * libpq "postgresql://user:secret@host/db", MySQL/MariaDB, MongoDB (also
 * mongodb+srv), Redis ("redis://:secret@host", user may be empty), AMQP.
 * The password may not hold "@", "/" or blanks: RFC 3986 requires them
 * percent-encoded, and allowing them would run into the host part.
 */
function databaseUrlRule(
  id: string,
  title: string,
  schemes: string,
  keywords: readonly string[],
  emptyUser: boolean,
): SecretRule {
  const user = emptyUser ? `[^\\s:@/"'\`<>]{0,64}` : `[^\\s:@/"'\`<>]{1,64}`;
  return {
    id,
    category: 'database',
    title,
    severity: 'critical',
    keywords,
    regex: new RegExp(
      `(?<![A-Za-z0-9+.-])(?:${schemes})://${user}:(?<secret>[^\\s@/"'\`<>]{1,128})@[A-Za-z0-9\\[._-]`,
      'gi',
    ),
  };
}

export const DATABASE_RULES: readonly SecretRule[] = [
  {
    ...databaseUrlRule(
      'postgres-connection-url',
      'PostgreSQL connection URL with password',
      'postgres|postgresql',
      ['postgres'],
      false,
    ),
    examples: {
      positives: [
        'DATABASE_URL=postgres://app:Zx81!kqPw2@db.internal:5432/app',
        'postgresql://admin:GkdmsApK^XjHBx@10.0.0.5/prod?sslmode=require',
      ],
      negatives: [
        'postgres://app@db.internal:5432/app',
        'postgres://user:password@localhost/db',
        'postgres://app:${DB_PASSWORD}@db/app',
        'postgres://db.internal:5432/app',
      ],
    },
  },
  {
    ...databaseUrlRule(
      'mysql-connection-url',
      'MySQL/MariaDB connection URL with password',
      'mysql|mysqlx|mariadb|mysql\\+[a-z]{2,12}',
      ['mysql', 'mariadb'],
      false,
    ),
    examples: {
      positives: [
        'SQLALCHEMY_DATABASE_URI = "mysql+pymysql://shop:c7Vq2LmZp9@mysql:3306/shop"',
        'mariadb://root:rTq7Wz2Lp@127.0.0.1/db',
      ],
      negatives: ['mysql://root@localhost/db', 'mysql://user:pass@host/db', 'mysql://root:<password>@localhost/db'],
    },
  },
  {
    ...databaseUrlRule(
      'mongodb-connection-url',
      'MongoDB connection URL with password',
      'mongodb|mongodb\\+srv',
      ['mongodb'],
      false,
    ),
    examples: {
      positives: ['MONGO_URL=mongodb+srv://svc:Kp3vN9xQ2m@cluster0.ab1cd.mongodb.net/app?retryWrites=true'],
      negatives: ['mongodb://localhost:27017/app', 'mongodb+srv://<username>:<password>@cluster0.mongodb.net/'],
    },
  },
  {
    ...databaseUrlRule('redis-connection-url', 'Redis connection URL with password', 'redis|rediss', ['redis'], true),
    examples: {
      positives: ['REDIS_URL=redis://:b8Ze3Rq1WvX@cache:6379/0', 'rediss://default:b8Ze3Rq1WvX@redis.acme.io:6380'],
      negatives: ['redis://cache:6379/0', 'redis://:changeme@localhost:6379'],
    },
  },
  {
    ...databaseUrlRule(
      'amqp-connection-url',
      'AMQP (RabbitMQ) connection URL with password',
      'amqp|amqps',
      ['amqp'],
      false,
    ),
    examples: {
      positives: ['CELERY_BROKER_URL=amqp://worker:Vb7nQ2xLk9@rabbitmq:5672/vhost'],
      negatives: ['amqp://guest:guest@localhost:5672/', 'amqp://rabbitmq:5672'],
    },
  },
];
