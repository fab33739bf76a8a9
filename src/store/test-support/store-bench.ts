/**
 * Timings of the state store on both backends (docs/store.md, "Measured"):
 *   node dist/store/test-support/store-bench.js [IMAGES] [PACKAGES]
 * Records IMAGES scans of PACKAGES packages and 50 findings each, then times
 * package index lookups (before and after ANALYZE) and the job queue.
 */
import { analyze, type BackendFixture, harness, postgresFixture, sqliteFixture } from './harness.js';
import { debPackage, digestOf, scanDocument } from './scan-docs.js';

const images = Number(process.argv[2] ?? 100);
const perImage = Number(process.argv[3] ?? 500);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const result = await fn();
  return [result, performance.now() - t];
}

async function bench(fixture: BackendFixture): Promise<void> {
  await fixture.setup();
  const closers: (() => Promise<void>)[] = [];
  try {
    const { store, backend } = await harness(fixture, closers).open();
    const [, recordMs] = await timed(async () => {
      for (let img = 0; img < images; img++) {
        const packages = Array.from({ length: perImage }, (_, j) => {
          const n = (img * 7 + j * 13) % 3000;
          return debPackage(`lib${n}`, '1.0-1', `src${n % 1500}`);
        });
        const vulns = Array.from({ length: 50 }, (_, j) => ({ id: `CVE-2024-${j}`, pkg: `p${(img + j) % 80}` }));
        await store.scans.record({
          imageDigest: digestOf(`bench-${img}`),
          document: scanDocument({ vulns }),
          packages,
        });
      }
    });
    const lookups = async (): Promise<[number, number]> => {
      let hits = 0;
      const [, ms] = await timed(async () => {
        for (let i = 0; i < 100; i++) hits += (await store.packages.imagesWithPackage(`src${i}`)).length;
      });
      return [hits / 100, ms / 100];
    };
    const [avgHits, lookupMs] = await lookups();
    await analyze(backend);
    const [, analyzedMs] = await lookups();
    const keys = Array.from({ length: 1000 }, (_, i) => ({ namespace: 'Debian:12', name: `src${i}` }));
    const [manyHits, keysMs] = await timed(() => store.packages.imagesWithPackageKeys(keys));
    const [, jobsMs] = await timed(async () => {
      for (let i = 0; i < 500; i++) await store.jobs.enqueue({ kind: 'scan', idempotencyKey: `k${i}`, payload: { i } });
      for (;;) {
        const lease = await store.jobs.claim({ worker: 'bench' });
        if (!lease) break;
        await store.jobs.complete(lease, { ok: true });
      }
    });
    const f = (n: number): string => n.toFixed(1);
    process.stdout.write(
      `${fixture.dialect}: ${images} images x ${perImage} packages\n` +
        `  scans.record                  ${f(recordMs / images)} ms per scan (${perImage} packages, 50 findings)\n` +
        `  imagesWithPackage             ${f(lookupMs)} ms (${f(avgHits)} hits), after ANALYZE ${f(analyzedMs)} ms\n` +
        `  imagesWithPackageKeys (1000)  ${f(keysMs)} ms (${manyHits.length} hits)\n` +
        `  enqueue+claim+complete        ${f(jobsMs / 500)} ms per job\n`,
    );
  } finally {
    for (const close of closers) await close();
    await fixture.teardown();
  }
}

await bench(sqliteFixture());
await bench(postgresFixture());
