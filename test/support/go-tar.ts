/**
 * Go's archive/tar as an oracle: builds test/support/go-tar-list.go (cached
 * under test/.work by the source's hash) and asks it how it reads tar streams.
 * Docker, containerd and BuildKit unpack layers with that reader.
 */

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, run, WORK_DIR, withLock } from './images.js';

export interface GoTarEntry {
  readonly name: string;
  /** The typeflag byte archive/tar returned. */
  readonly type: string;
  readonly linkname: string;
  /** Bytes its reader yielded, and their SHA-256. */
  readonly size: number;
  readonly sha256: string;
}

export interface GoTarListing {
  readonly entries: readonly GoTarEntry[];
  /** Empty when the stream ended cleanly (io.EOF), else archive/tar's error. */
  readonly error: string;
}

const SOURCE = join(REPO_ROOT, 'test', 'support', 'go-tar-list.go');

async function binary(): Promise<string> {
  const source = await readFile(SOURCE);
  const out = join(WORK_DIR, 'go', `go-tar-list-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`);
  return withLock('go-tar-list', async () => {
    if (!existsSync(out)) {
      await mkdir(join(WORK_DIR, 'go'), { recursive: true });
      await run('go', ['build', '-o', out, SOURCE], { env: { ...process.env, CGO_ENABLED: '0' } });
    }
    return out;
  });
}

/** A running oracle: `list(tar)` answers in order, one stream at a time. */
export class GoTar {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly answers: ((l: GoTarListing) => void)[] = [];

  private constructor(bin: string) {
    this.child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.answers.shift()?.(JSON.parse(line) as GoTarListing);
    });
  }

  static async start(): Promise<GoTar> {
    return new GoTar(await binary());
  }

  list(tar: Buffer): Promise<GoTarListing> {
    return new Promise((resolve) => {
      this.answers.push(resolve);
      const len = Buffer.alloc(8);
      len.writeBigUInt64BE(BigInt(tar.length));
      this.child.stdin.write(len);
      this.child.stdin.write(tar);
    });
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    await new Promise((resolve) => this.child.once('close', resolve));
  }
}
