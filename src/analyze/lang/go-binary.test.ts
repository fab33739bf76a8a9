import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { PackageFact } from '../../core/index.js';
import { testdata } from '../../core/test-support/testdata.js';
import { analyzerFile } from '../test-support/analyzer-tester.js';
import { goBinary, goPackages, readBuildInfo, stdlibVersion } from './go-binary.js';

// Fixtures built by testdata/go/build.sh with Debian bookworm's Go (go-version.txt).
const goVersion = readFileSync(testdata(import.meta.url, 'go', 'go-version.txt'), 'utf8').split(' ')[2] ?? '';
const fixture = (name: string): Buffer => readFileSync(testdata(import.meta.url, 'go', name));

function expected(): PackageFact[] {
  return [
    {
      ecosystem: 'golang',
      name: 'example.com/hello',
      version: '(devel)',
      meta: { main: 'true', GOOS: '', GOARCH: '' },
    },
    {
      ecosystem: 'golang',
      name: 'example.com/greet',
      version: '(devel)',
      meta: { replacement: './greet' },
    },
    { ecosystem: 'golang', name: 'example.com/lib', version: 'v1.2.3' },
    {
      ecosystem: 'golang',
      name: 'example.org/fork',
      version: 'v1.5.0',
      meta: { replaces: 'example.com/orig' },
    },
    { ecosystem: 'golang', name: 'stdlib', version: `v${goVersion.slice(2)}` },
  ];
}

function withPlatform(goos: string, goarch: string): PackageFact[] {
  return expected().map((p) =>
    p.meta?.main === 'true' ? { ...p, meta: { main: 'true', GOOS: goos, GOARCH: goarch } } : p,
  );
}

for (const [name, goos, goarch] of [
  ['hello-app', 'linux', 'amd64'],
  ['hello-app-stripped', 'linux', 'amd64'],
  ['hello-app-386', 'linux', '386'],
  ['hello-app.exe', 'windows', 'amd64'],
] as const) {
  test(`real Go binary ${name}: main module, deps, replacements, stdlib`, async () => {
    assert.match(goVersion, /^go1\.\d+/);
    const f = analyzerFile(`usr/local/bin/${name}`, fixture(name), 0o755);
    assert.equal(goBinary.sniff?.test(f.bytes.subarray(0, goBinary.sniff.bytes)), true);
    const r = await goBinary.analyze(f);
    assert.deepEqual(r.packages, withPlatform(goos, goarch));
  });
}

test('wants executables within the size cap, not plain shared objects', () => {
  const w = (path: string, mode: number, size = 1000): boolean => goBinary.wants(path, { path, mode, size });
  assert.equal(w('usr/bin/app', 0o755), true);
  assert.equal(w('usr/lib/libx.so.1', 0o644), false);
  assert.equal(w('etc/passwd', 0o644), false);
  assert.equal(w('usr/bin/huge', 0o755, 10 * 1024 * 1024 * 1024), false);
  assert.equal(goBinary.sniff?.test(Buffer.from('#!/bin/sh\n')), false);
});

test('an ELF without Go build info yields nothing (the Rust fixture)', async () => {
  const f = analyzerFile('usr/bin/hello', readFileSync(testdata(import.meta.url, 'rust', 'hello-plain')), 0o755);
  assert.deepEqual(await goBinary.analyze(f), {});
});

/**
 * A Go 1.13–1.17 style binary (pointer format), synthesised: an ELF64 with one
 * PT_LOAD segment mapping the file at 0x400000 and no section headers, so the
 * build info is found by the aligned magic scan and read through pointers.
 */
function oldFormatElf(bigEndian: boolean): Buffer {
  const base = 0x400000;
  const buf = Buffer.alloc(0x400);
  const w16 = (o: number, v: number): number => (bigEndian ? buf.writeUInt16BE(v, o) : buf.writeUInt16LE(v, o));
  const w32 = (o: number, v: number): number => (bigEndian ? buf.writeUInt32BE(v, o) : buf.writeUInt32LE(v, o));
  const w64 = (o: number, v: number): number =>
    bigEndian ? buf.writeBigUInt64BE(BigInt(v), o) : buf.writeBigUInt64LE(BigInt(v), o);
  buf.write('\x7fELF', 0, 'latin1');
  buf[4] = 2; // ELFCLASS64
  buf[5] = bigEndian ? 2 : 1;
  buf[6] = 1;
  w16(0x10, 2); // ET_EXEC
  w64(0x20, 0x40); // e_phoff
  w16(0x36, 56); // e_phentsize
  w16(0x38, 1); // e_phnum
  // PT_LOAD covering the whole file.
  w32(0x40, 1);
  w64(0x48, 0);
  w64(0x50, base);
  w64(0x60, buf.length);
  // Strings and their Go string headers.
  const ver = 'go1.16.15';
  const mod = `${'0'.repeat(16)}path\tex.com/old\nmod\tex.com/old\tv0.1.0\t\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:x\n${'1'.repeat(15)}`;
  buf.write(ver, 0x200, 'latin1');
  buf.write(mod, 0x240, 'latin1');
  w64(0x1c0, base + 0x200);
  w64(0x1c8, ver.length);
  w64(0x1d0, base + 0x240);
  w64(0x1d8, Buffer.byteLength(mod));
  // Build info header at a 16-byte aligned offset.
  buf.write('\xff Go buildinf:', 0x100, 'latin1');
  buf[0x10e] = 8;
  buf[0x10f] = bigEndian ? 1 : 0;
  w64(0x110, base + 0x1c0);
  w64(0x118, base + 0x1d0);
  return buf;
}

for (const be of [false, true]) {
  test(`pre-1.18 pointer-format build info (${be ? 'big' : 'little'} endian)`, async () => {
    const r = await goBinary.analyze(analyzerFile('app', oldFormatElf(be), 0o755));
    assert.deepEqual(r.packages, [
      {
        ecosystem: 'golang',
        name: 'ex.com/old',
        version: 'v0.1.0',
        meta: { main: 'true' },
      },
      { ecosystem: 'golang', name: 'github.com/pkg/errors', version: 'v0.9.1' },
      { ecosystem: 'golang', name: 'stdlib', version: 'v1.16.15' },
    ]);
  });
}

test('hostile build info: dangling pointers, truncated strings, bad ELF', () => {
  const bad = oldFormatElf(false);
  bad.writeBigUInt64LE(0x7fff0000n, 0x110);
  assert.throws(() => goBinary.analyze(analyzerFile('app', bad, 0o755)), /unmapped address/);

  const inline = Buffer.alloc(96);
  inline.write('\xff Go buildinf:', 0, 'latin1');
  inline[14] = 8;
  inline[15] = 2;
  inline[32] = 0xff; // varint that never ends within the file
  inline.fill(0xff, 33);
  assert.throws(
    () => readBuildInfo(inline, 'x'),
    (e: unknown) => (e as { code?: string }).code === 'ANALYZE_FILE_INVALID',
  );
  inline.fill(0, 32);
  inline[32] = 200; // length 200, file too short
  inline[33] = 1;
  assert.throws(() => readBuildInfo(inline, 'x'), /past the end/);

  const elf = Buffer.alloc(64);
  elf.write('\x7fELF', 0, 'latin1');
  elf[4] = 2;
  elf[5] = 1;
  elf.writeBigUInt64LE(0x1000n, 0x28); // section headers past the end
  elf.writeUInt16LE(64, 0x3a);
  elf.writeUInt16LE(3, 0x3c);
  assert.throws(() => goBinary.analyze(analyzerFile('app', elf, 0o755)), /past the end/);
});

test('modinfo parsing and stdlib versions', () => {
  const facts = goPackages(
    'go1.21.5 X:boringcrypto',
    'path\tcommand-line-arguments\ndep\ta.com/x\tv1.0.0\n=>\t/src/x\t\n',
    'p',
  );
  assert.deepEqual(facts, [
    {
      ecosystem: 'golang',
      name: 'a.com/x',
      version: '(devel)',
      meta: { replacement: '/src/x' },
    },
    { ecosystem: 'golang', name: 'stdlib', version: 'v1.21.5' },
  ]);
  assert.equal(stdlibVersion('go1.22rc1'), 'v1.22rc1');
  assert.equal(stdlibVersion('devel go1.23-abc'), undefined);
});
