/**
 * The Dockerfile checks against the semantics of the hadolint rules they
 * correspond to (hadolint README "Rules" and the rule pages): what each rule
 * catches and what it deliberately lets pass. Cases are written here, one
 * line of Dockerfile each unless a case needs stages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDockerfile } from './check-dockerfile.js';

const BASE = `FROM debian:12.6@sha256:${'a'.repeat(64)}`;

/** Lines where `checkId` fires on `body` (a FROM is added unless the body has one). */
function linesOf(checkId: string, body: string): number[] {
  const text = /^\s*FROM\b/im.test(body) ? body : `${BASE}\n${body}`;
  return checkDockerfile(`${text}\n`, 'Dockerfile')
    .filter((f) => f.checkId === checkId)
    .map((f) => f.location?.startLine ?? 0);
}

function expectCases(checkId: string, catches: readonly string[], passes: readonly string[]): void {
  for (const body of catches) assert.ok(linesOf(checkId, body).length > 0, `${checkId} should catch: ${body}`);
  for (const body of passes) assert.deepEqual(linesOf(checkId, body), [], `${checkId} should let pass: ${body}`);
}

test('DF-016 unpinned installs: every package manager hadolint covers (DL3008/13/16/18/28/33/37/41/62)', () => {
  expectCases(
    'CUS-DF-016',
    [
      'RUN apt-get install -y curl',
      'RUN apt install -y curl',
      'RUN apt-get install -y -t bookworm-backports curl',
      'RUN pip install flask',
      'RUN pip3.12 install --no-cache-dir flask',
      'RUN pipx install black',
      'RUN python3 -m pip install flask',
      'RUN pip install --index-url https://pypi.example/simple flask',
      'RUN pip install --root-user-action=ignore flask',
      'RUN pip install --upgrade pip',
      'RUN pip install git+https://example.com/org/repo.git#egg=repo',
      'RUN npm install express',
      'RUN npm i -g @scope/tool',
      'RUN npm install --registry https://npm.example express',
      'RUN npm install git+https://example.com/org/repo.git',
      'RUN npm install express@latest',
      'RUN gem install bundler',
      'RUN gem i rails',
      'RUN gem install --no-document bundler',
      'RUN gem i bundler:2.5.0 nokogiri',
      'RUN yum install -y httpd',
      'RUN yum install -y python3-devel',
      'RUN yum module install -y nodejs',
      'RUN dnf install -y nginx',
      'RUN dnf -y install epel-release',
      'RUN microdnf install -y nginx',
      'RUN zypper install -y curl',
      'RUN zypper --non-interactive in curl',
      'RUN apk add curl',
      'RUN apk add --no-cache --virtual .build-deps gcc',
      'RUN go install example.com/cmd/tool',
      'RUN go install example.com/cmd/tool@latest',
      'RUN go get example.com/mod',
      'RUN go run example.com/cmd/gen@none',
      'RUN if [ -n "$X" ]; then pip install flask; fi',
      'RUN sh -c "npm install -g express"',
      'RUN set -eux; \\\n  apk add --no-cache \\\n    curl=8.5.0-r0 \\\n    jq',
      'RUN <<EOF\nset -e\npip install flask\nEOF',
    ],
    [
      'RUN apt-get install -y curl=7.88.1-10+deb12u5',
      'RUN apt-get install -y ./vendor/tool_1.0_amd64.deb',
      'RUN apt-get install -y curl/bookworm-backports',
      'RUN apt-get install -y $PACKAGES',
      'RUN pip install -r requirements.txt',
      'RUN pip install --requirement=requirements.txt gunicorn',
      'RUN pip install -c constraints.txt flask',
      'RUN pip install .',
      'RUN pip install -e .',
      'RUN pip install',
      'RUN pip install flask==3.0.3',
      "RUN pip install 'flask>=3' 'click~=8.1' 'jinja2!=3.0.0' 'werkzeug<4'",
      'RUN pip install dist/app-1.0-py3-none-any.whl',
      'RUN pip install app-1.0.tar.gz',
      'RUN pip install git+https://example.com/org/repo.git@v1.0#egg=repo',
      'RUN pip install ./src/pkg',
      'RUN pipenv install black',
      'RUN npm ci',
      'RUN npm install',
      'RUN npm install --omit=dev',
      'RUN npm install express@4.19.2',
      'RUN npm install @scope/pkg@1.0.0 sax@"^1.2"',
      'RUN npm install ./local-package ../other ~/pkg /opt/pkg',
      'RUN npm install package-1.2.3.tgz',
      'RUN npm install git+https://example.com/org/repo.git#v1.0.0',
      'RUN npm run install',
      'RUN gem install bundler:2.5.0',
      "RUN gem install bundler -v '2.5.0'",
      'RUN gem install bundler --version=2.5.0',
      'RUN gem install nokogiri:1.16.0 -- --use-system-libraries',
      'RUN yum install -y httpd-2.4.57-5.el9',
      'RUN yum install -y python3-devel-3.9.18',
      'RUN yum install -y /tmp/tool-1.0.rpm',
      'RUN yum module install -y nodejs:18',
      'RUN dnf install -y nginx-1:1.20.1-14.el9',
      'RUN dnf group install -y "Development Tools"',
      'RUN microdnf install -y shadow-utils-4.9',
      'RUN zypper install -y curl=8.0.1',
      "RUN zypper in 'curl>=8'",
      'RUN apk add curl=8.5.0-r0',
      "RUN apk add 'curl~8.5' 'jq>1.6'",
      'RUN apk add --allow-untrusted /tmp/tool-1.0-r0.apk',
      'RUN apk add --repository https://dl.example/edge curl=8.5.0-r0',
      'RUN apk add -X https://dl.example/edge curl=8.5.0-r0',
      'RUN go install example.com/cmd/tool@v1.2.3',
      'RUN go install ./cmd/...',
      'RUN go install .',
      'RUN go run .',
      'RUN go run main.go',
      'RUN go run example.com/cmd/gen@v1.2.3 -out gen.go',
      'RUN go build -o /app ./cmd/app',
      'RUN python3 <<EOF\nimport subprocess\nEOF',
    ],
  );
});

test('ONBUILD instructions are checked at the ONBUILD line', () => {
  assert.deepEqual(linesOf('CUS-DF-016', 'ONBUILD RUN pip install flask'), [2]);
  assert.deepEqual(linesOf('CUS-DF-012', 'ONBUILD RUN sudo make install'), [2]);
  assert.deepEqual(linesOf('CUS-DF-009', 'ONBUILD ADD . /app'), [2]);
  assert.deepEqual(linesOf('CUS-DF-011', 'ONBUILD ENV API_KEY=sk-live-1'), [2]);
  assert.deepEqual(linesOf('CUS-DF-006', 'ONBUILD RUN apt-get install -y curl=1'), [2]);
  const [finding] = checkDockerfile(`${BASE}\nUSER app\nONBUILD RUN pip install flask\n`, 'D').filter(
    (f) => f.checkId === 'CUS-DF-016',
  );
  assert.match(finding?.message ?? '', /^line 3 \(ONBUILD RUN\): pip installs "flask"/);
  // ONBUILD RUNs run in child images: a builder stage's ONBUILD is judged too (DL3009).
  assert.deepEqual(linesOf('CUS-DF-007', 'FROM a:1 AS b\nONBUILD RUN apt-get update\nFROM c:1\nUSER app'), [2]);
});

test('DF-012 sudo (DL3004) in chains, conditionals, set -e prefixes and exec form', () => {
  expectCases(
    'CUS-DF-012',
    [
      'RUN sudo apt-get update',
      'RUN apt-get update && sudo apt-get install -y curl=1',
      'RUN set -e; sudo make install',
      'RUN if true; then sudo make install; fi',
      'RUN make || sudo make install',
      'RUN ["sudo", "make", "install"]',
    ],
    ['RUN apt-get install -y --no-install-recommends sudo=1.9.13p3-1', 'RUN echo sudo', 'RUN make install'],
  );
});

test('DF-007 apt lists (DL3009): update without cleanup in layers that reach the image', () => {
  expectCases(
    'CUS-DF-007',
    [
      'RUN apt-get update && apt-get install -y python3',
      'RUN apt update && apt install -y python3',
      'RUN aptitude update && aptitude install -y python3',
      'RUN set -eux; apt-get -qq update; apt-get install -y python3',
      'RUN apt-get update \\\n  && apt-get install -y python3',
      'RUN apt-get update',
      'RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y python3',
      'FROM ubuntu:24.04 AS base\nRUN apt-get update && apt-get install -y python3\nFROM base\nUSER app',
      'FROM ubuntu:24.04 AS a\nRUN apt-get update\nFROM a AS b\nRUN true\nFROM b\nUSER app',
    ],
    [
      'RUN apt-get update && apt-get install -y python3 && rm -rf /var/lib/apt/lists/*',
      'RUN apt-get update \\\n  && apt-get install -y python3 \\\n  && rm -rf /var/lib/apt/lists/*',
      'RUN apt-get install -y python3',
      'FROM ubuntu:24.04 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\nCOPY --from=build /out /out',
      'RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y python3',
      'RUN --mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt apt-get update',
      'RUN --mount=type=tmpfs,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update',
    ],
  );
});

test('DF-006 --no-install-recommends (DL3015) in every spelling', () => {
  expectCases(
    'CUS-DF-006',
    [
      'RUN apt-get install python3',
      'RUN apt-get -y install python3',
      'RUN apt-get --yes install python3',
      'RUN apt-get -qq install -y python3',
      'RUN apt install -y python3',
      'RUN set -e && apt-get update && apt-get install -y python3',
      'RUN apt-get update \\\n  && apt-get install -y \\\n    python3',
      'RUN apt-get install -y --no-install-recommends a && apt-get install -y b',
    ],
    [
      'RUN apt-get install --no-install-recommends python3',
      'RUN apt-get -y --no-install-recommends install python3',
      'RUN apt-get -o APT::Install-Recommends=false install python3',
      'RUN apt-get -o "APT::Install-Recommends=0" install -y python3',
      'RUN apt-get update && apt-get install -qqy --no-install-recommends python3',
      'RUN apt-get install -f',
      'RUN apt-get update',
    ],
  );
});

test('DF-023 exec form (DL3025): CMD, ENTRYPOINT and HEALTHCHECK CMD in every stage', () => {
  expectCases(
    'CUS-DF-023',
    [
      'CMD node server.js',
      'ENTRYPOINT /entrypoint.sh',
      "CMD ['node', 'server.js']",
      'HEALTHCHECK CMD curl -f http://localhost/',
      'HEALTHCHECK --interval=5s --timeout=3s CMD curl -f http://localhost/',
      'FROM a:1 AS base\nCMD run\nFROM base\nCMD ["run"]',
    ],
    [
      'CMD ["node", "server.js"]',
      'CMD [ "node", "server.js" ]',
      'CMD [ "/bin/sh", "-c", \\\n  "echo foo && \\\n   echo bar" \\\n  ]',
      'ENTRYPOINT ["/entrypoint.sh"]',
      'HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]',
      'HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]',
      'HEALTHCHECK NONE',
    ],
  );
});

test('DF-005 root user (DL3002): a USER root inherited through FROM <stage> is the final user', () => {
  expectCases(
    'CUS-DF-005',
    [
      'USER root',
      'USER 0',
      'USER 0:0',
      'USER root:root',
      'FROM debian:12 AS base\nUSER root\nRUN id\nFROM base\nRUN id',
      'FROM debian:12 AS a\nUSER root\nFROM a AS b\nRUN id\nFROM b\nRUN id',
      'FROM debian:12 AS Base\nUSER root\nFROM base\nRUN id',
    ],
    [
      'USER root\nRUN id\nUSER app',
      'FROM debian:12 AS base\nUSER root\nUSER app\nFROM base\nRUN id',
      'FROM debian:12 AS base\nUSER root\nFROM base\nUSER app',
      'FROM debian:12 AS build\nUSER root\nFROM debian:12\nUSER app',
    ],
  );
  assert.deepEqual(linesOf('CUS-DF-005', 'FROM debian:12 AS base\nUSER root\nFROM base\nRUN id'), [2]);
  const [f] = checkDockerfile('FROM debian:12 AS base\nUSER root\nFROM base\nRUN id\n', 'D').filter(
    (x) => x.checkId === 'CUS-DF-005',
  );
  assert.match(f?.message ?? '', /inherited from stage "base" that the final stage \(line 3\) is built on/);
  // The user is inherited too: no "sets no USER" for a final stage whose ancestor set one.
  assert.deepEqual(linesOf('CUS-DF-004', 'FROM debian:12 AS a\nUSER app\nFROM a AS b\nRUN id\nFROM b\nRUN id'), []);
});

test('DF-009 ADD (DL3020): local archives and URLs are what ADD is for', () => {
  expectCases(
    'CUS-DF-009',
    ['ADD app.zip /opt/', 'ADD "config" /etc/app/', 'ADD ["config", "/etc/app/"]', 'ADD rootfs.tar.gz notes.txt /opt/'],
    [
      'ADD rootfs.tar /',
      'ADD "rootfs.tar.gz" /',
      "ADD 'rootfs.tgz' /",
      'ADD ["app.tgz", "/opt/"]',
      'ADD --chown=1000:1000 app.tar.xz /opt/',
      'ADD app.tar.bz2 app2.tar.zst /opt/',
      'ADD data.gz /opt/',
      'ADD data.tar.Z /opt/',
      'ADD https://example.com/app.bin /opt/',
      'ADD $ARCHIVE /opt/',
    ],
  );
  const [f] = checkDockerfile(`${BASE}\nADD rootfs.tar.gz notes.txt /opt/\n`, 'D').filter(
    (x) => x.checkId === 'CUS-DF-009',
  );
  assert.match(f?.message ?? '', /local "notes\.txt";/);
});

test('secrets in ARG/ENV (DL3064): sensitive names anywhere, harmless ones left alone', () => {
  expectCases(
    'CUS-DF-011',
    [
      'ARG GITHUB_TOKEN=ghp_example\nFROM a:1\nUSER app',
      'ENV DBPASSWORD=hunter2',
      'ENV MYSQL_ROOT_PASSWORD=hunter2',
      'ENV client_secret=abc',
      'ENV AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=abc',
      'ARG api-key=abc',
      'ENV PRIVATE_KEY=abc',
      'ENV SSH_KEY=abc',
      'ENV APP_KEY=base64:abc',
      'ENV DB_CREDENTIALS=abc',
      'ENV SMTP_PASSWD=abc',
    ],
    [
      'ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
      'ENV STRIPE_PUBLIC_KEY=pk_test_1',
      'ENV POSTGRES_PASSWORD_FILE=/run/secrets/db',
      'ENV TOKENIZERS_PARALLELISM=false',
      'ENV USERNAME=app',
      'ENV KEYRING=/etc/apt/keyrings',
      'ARG GITHUB_TOKEN',
      'ENV PASSWORD=',
    ],
  );
  expectCases(
    'CUS-DF-026',
    [
      'ARG GITHUB_TOKEN\nFROM a:1\nUSER app',
      'ARG NPM_TOKEN',
      'ARG DB_PASSWORD=""',
      'ENV NPM_TOKEN=$NPM_TOKEN',
      'ENV API_KEY=${CI_API_KEY}',
    ],
    ['ARG VERSION', 'ENV PATH=$PATH:/opt/bin', 'ARG GITHUB_TOKEN=ghp_literal', 'ENV PASSWORD='],
  );
  const found = checkDockerfile(`ARG GITHUB_TOKEN=ghp_example\n${BASE}\nENV DBPASSWORD=hunter2\nUSER app\n`, 'D');
  assert.doesNotMatch(JSON.stringify(found), /ghp_example|hunter2/);
});
