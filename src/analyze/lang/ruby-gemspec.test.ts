import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzerTester } from '../test-support/analyzer-tester.js';
import { gemfileLock } from './gemfile-lock.js';
import { parseGemspec, rubyGemspec } from './ruby-gemspec.js';

// The shape RubyGems' Gem::Specification#to_ruby writes into specifications/ (rubygems 3.x).
const rakeSpec = `# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 1.3.2".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "bug_tracker_uri" => "https://github.com/ruby/rake/issues" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Hiroshi SHIBATA".freeze, "Eric Hodel".freeze]
  s.licenses = ["MIT".freeze]
  s.rubygems_version = "3.3.5".freeze
  s.summary = "Rake is a Make-like program implemented in Ruby".freeze
end
`;

test('wants gemspecs under specifications/ (and default/)', () => {
  const w = (p: string): boolean => rubyGemspec.wants(p, { path: p, size: 1, mode: 0o644 });
  assert.equal(w('usr/local/bundle/specifications/rake-13.0.6.gemspec'), true);
  assert.equal(w('usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec'), true);
  assert.equal(w('app/myproj.gemspec'), false);
});

test('installed gemspec: name, version, licenses', async () => {
  await analyzerTester(rubyGemspec)
    .file('usr/local/bundle/specifications/rake-13.0.6.gemspec', rakeSpec)
    .expectsPackages([{ ecosystem: 'gem', name: 'rake', version: '13.0.6', license: 'MIT' }]);
});

test('Gem::Version.new, single quotes, %w licences, other block variables', () => {
  assert.deepEqual(
    parseGemspec(
      "Gem::Specification.new do |spec|\n  spec.name = 'json'\n  spec.version = Gem::Version.new(\"2.6.1\")\n  spec.license = 'Ruby'\nend\n",
    ),
    {
      name: 'json',
      version: '2.6.1',
      licenses: ['Ruby'],
    },
  );
  assert.deepEqual(parseGemspec('s.name = "x"\ns.version = "1"\ns.licenses = %w[MIT Apache-2.0]\n').licenses, [
    'MIT',
    'Apache-2.0',
  ]);
  assert.deepEqual(
    parseGemspec('s.name = "x"\ns.version = "1"\ns.licenses = ["BSD-2-Clause".freeze, "Ruby".freeze]\n').licenses,
    ['BSD-2-Clause', 'Ruby'],
  );
});

test('a gemspec without a literal name/version is malformed', async () => {
  await analyzerTester(rubyGemspec)
    .file('specifications/x.gemspec', 's.name = NAME\n')
    .expectsUnknown('ANALYZE_FILE_INVALID', /without a literal name/);
});

// Bundler 2 lockfile layout.
const lock = `GIT
  remote: https://github.com/rails/rails.git
  revision: abc123
  specs:
    rails (7.1.0.alpha)
      actionpack (= 7.1.0.alpha)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.0.4)
      rack (~> 2.0, >= 2.2.0)
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    rack (2.2.8)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  nokogiri
  rails!

BUNDLED WITH
   2.4.19
`;

test('Gemfile.lock GEM and GIT specs, platform suffixes', async () => {
  await analyzerTester(gemfileLock)
    .file('app/Gemfile.lock', lock)
    .expectsPackages([
      {
        ecosystem: 'gem',
        name: 'rails',
        version: '7.1.0.alpha',
        meta: { source: 'lockfile', origin: 'git' },
      },
      {
        ecosystem: 'gem',
        name: 'actionpack',
        version: '7.0.4',
        meta: { source: 'lockfile' },
      },
      {
        ecosystem: 'gem',
        name: 'nokogiri',
        version: '1.15.4',
        meta: { source: 'lockfile', platform: 'x86_64-linux' },
      },
      {
        ecosystem: 'gem',
        name: 'rack',
        version: '2.2.8',
        meta: { source: 'lockfile' },
      },
    ]);
  await analyzerTester(gemfileLock).file('Gemfile.lock', 'garbage\n\x00\x01').expects({ packages: [] });
});
