/**
 * Mutation engines the generators share. A generator builds a *valid* document
 * from a structured model (so parsers get past their magic numbers and
 * checksums and into the code behind them), then mutates it in three ways:
 *   - field ops: set a numeric field the builder recorded (a length, offset,
 *     count, page number …) to an edge value, or clone one record over others
 *     (the same slot, index entry or directory entry many times: amplification);
 *   - byte ops: set, insert, delete, truncate, copy or repeat bytes anywhere;
 *   - JSON ops: replace, delete, duplicate or deeply nest nodes of a JSON tree,
 *     rename keys (prototype keys included), with hostile scalars.
 * Positions are naturals taken modulo the length, so shrinking moves toward 0.
 */
import * as fc from 'fast-check';
import type { FuzzInput } from './protocol.js';

/** Inputs never grow past this (amplifying ops are clipped). */
export const MAX_INPUT = 2 * 1024 * 1024;

/** Integers that sit on the edges parsers get wrong: 0, sign bits, type limits, powers of two. */
export const EDGE_INTS = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x100, 0x1ff, 0x200, 0x3ff, 0x400, 0xfff, 0x1000,
  0x7fff, 0x8000, 0xffff, 0x10000, 0xfffff, 0x100000, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000, 0xfffffffe,
  0xffffffff,
] as const;

export const edgeInt: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(...EDGE_INTS), weight: 3 },
  { arbitrary: fc.nat({ max: 0xffff }), weight: 1 },
  { arbitrary: fc.nat({ max: 0xffffffff }), weight: 1 },
);

/** `arb` one time in `oneIn`, null otherwise (fc.option's `freq` is the chance of null, the other way round). */
export function rarely<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: oneIn - 1 }, { arbitrary: arb, weight: 1 });
}

/** How an op is chosen: mostly none (valid documents reach deepest), sometimes several. */
export function someOps<T>(op: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> {
  return fc.oneof(
    { arbitrary: fc.constant<T[]>([]), weight: 2 },
    { arbitrary: fc.array(op, { minLength: 1, maxLength: max }), weight: 3 },
  );
}

// ---------------------------------------------------------------- byte ops

export type ByteOp =
  | { readonly op: 'set'; readonly at: number; readonly value: number }
  | { readonly op: 'int'; readonly at: number; readonly width: 1 | 2 | 4; readonly le: boolean; readonly value: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly len: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'copy'; readonly from: number; readonly to: number; readonly len: number }
  | { readonly op: 'repeat'; readonly from: number; readonly len: number; readonly times: number };

export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }), weight: 4 },
  fc.record({
    op: fc.constant('int' as const),
    at: fc.nat(),
    width: fc.constantFrom(1 as const, 2 as const, 4 as const),
    le: fc.boolean(),
    value: edgeInt,
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('copy' as const), from: fc.nat(), to: fc.nat(), len: fc.integer({ min: 1, max: 512 }) }),
  fc.record({
    op: fc.constant('repeat' as const),
    from: fc.nat(),
    len: fc.integer({ min: 1, max: 512 }),
    times: fc.oneof(
      { arbitrary: fc.integer({ min: 2, max: 16 }), weight: 9 },
      { arbitrary: fc.integer({ min: 17, max: 4096 }), weight: 1 },
    ),
  }),
);

function writeInt(b: Uint8Array, at: number, width: 1 | 2 | 4, le: boolean, value: number): void {
  const v = value >>> 0;
  for (let i = 0; i < width && at + i < b.length; i++) {
    const shift = 8 * (le ? i : width - 1 - i);
    b[at + i] = (v >>> shift) & 0xff;
  }
}

export function applyByteOps(input: Uint8Array, ops: readonly ByteOp[]): Uint8Array {
  let b = Uint8Array.from(input);
  for (const o of ops) {
    const n = b.length;
    switch (o.op) {
      case 'set':
        if (n > 0) b[o.at % n] = o.value;
        break;
      case 'int':
        if (n > 0) writeInt(b, o.at % n, o.width, o.le, o.value);
        break;
      case 'insert': {
        if (n + o.bytes.length > MAX_INPUT) break;
        const at = o.at % (n + 1);
        const out = new Uint8Array(n + o.bytes.length);
        out.set(b.subarray(0, at));
        out.set(o.bytes, at);
        out.set(b.subarray(at), at + o.bytes.length);
        b = out;
        break;
      }
      case 'delete': {
        if (n === 0) break;
        const at = o.at % n;
        const out = new Uint8Array(n - Math.min(o.len, n - at));
        out.set(b.subarray(0, at));
        out.set(b.subarray(at + o.len), at);
        b = out;
        break;
      }
      case 'truncate':
        b = b.slice(0, o.at % (n + 1));
        break;
      case 'copy': {
        if (n === 0) break;
        const from = o.from % n;
        const to = o.to % n;
        const chunk = b.slice(from, Math.min(n, from + o.len));
        b.set(chunk.subarray(0, Math.max(0, n - to)), to);
        break;
      }
      case 'repeat': {
        if (n === 0) break;
        const from = o.from % n;
        const chunk = b.slice(from, Math.min(n, from + o.len));
        const times = Math.min(o.times, Math.floor((MAX_INPUT - n) / Math.max(1, chunk.length)));
        if (times < 1) break;
        const out = new Uint8Array(n + chunk.length * times);
        out.set(b.subarray(0, from + chunk.length));
        for (let i = 0; i < times; i++) out.set(chunk, from + chunk.length * (i + 1));
        out.set(b.subarray(from + chunk.length), from + chunk.length * (times + 1));
        b = out;
        break;
      }
    }
  }
  return b;
}

// ---------------------------------------------------------------- field ops

/** A numeric field of a built document: where it is and how it is encoded. */
export interface Field {
  readonly at: number;
  readonly width: 1 | 2 | 4;
  readonly le: boolean;
}

/** A built binary document with the places worth mutating. */
export interface Layout {
  readonly bytes: Uint8Array;
  readonly fields: readonly Field[];
  /** Groups of same-kind records (slots, index entries, directory entries) that can be cloned over each other. */
  readonly records: readonly (readonly { readonly at: number; readonly size: number }[])[];
}

export type FieldOp =
  | { readonly op: 'field'; readonly field: number; readonly value: number; readonly add: boolean }
  | {
      readonly op: 'clone';
      readonly group: number;
      readonly from: number;
      readonly to: number;
      readonly count: number;
    };

export const fieldOp: fc.Arbitrary<FieldOp> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant('field' as const), field: fc.nat(), value: edgeInt, add: fc.boolean() }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('clone' as const),
      group: fc.nat(),
      from: fc.nat(),
      to: fc.nat(),
      count: fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 },
        { arbitrary: fc.integer({ min: 1, max: 100_000 }), weight: 1 },
      ),
    }),
    weight: 1,
  },
);

function readInt(b: Uint8Array, f: Field): number {
  let v = 0;
  for (let i = 0; i < f.width; i++) {
    const byte = b[f.at + (f.le ? f.width - 1 - i : i)] ?? 0;
    v = v * 256 + byte;
  }
  return v;
}

export function applyFieldOps(layout: Layout, ops: readonly FieldOp[]): Uint8Array {
  const b = Uint8Array.from(layout.bytes);
  for (const o of ops) {
    if (o.op === 'field') {
      const f = layout.fields[o.field % Math.max(1, layout.fields.length)];
      if (!f || f.at + f.width > b.length) continue;
      const v = o.add ? readInt(b, f) + o.value : o.value;
      writeInt(b, f.at, f.width, f.le, v % 2 ** (8 * f.width));
    } else {
      const group = layout.records[o.group % Math.max(1, layout.records.length)];
      if (!group || group.length < 2) continue;
      const src = group[o.from % group.length];
      if (!src) continue;
      const chunk = b.slice(src.at, src.at + src.size);
      for (let i = 0; i < Math.min(o.count, group.length); i++) {
        const dst = group[(o.to + i) % group.length];
        if (dst && dst !== src && dst.size === src.size) b.set(chunk, dst.at);
      }
    }
  }
  return b;
}

/** A layout, then field ops, then byte ops, with a knob: the usual binary-format input. */
export function mutatedLayout(
  layout: fc.Arbitrary<Layout>,
  knob: fc.Arbitrary<number> = fc.nat(),
): fc.Arbitrary<FuzzInput> {
  return fc
    .tuple(layout, someOps(fieldOp, 6), someOps(byteOp, 4), knob)
    .map(([l, fops, bops, k]) => ({ bytes: applyByteOps(applyFieldOps(l, fops), bops), knob: k }));
}

/** Byte mutations of fixed seed files (real databases, real jars). */
export function mutatedSeeds(
  seeds: readonly Uint8Array[],
  knob: fc.Arbitrary<number> = fc.nat(),
): fc.Arbitrary<FuzzInput> {
  return fc
    .tuple(fc.constantFrom(...seeds), someOps(byteOp, 8), knob)
    .map(([s, ops, k]) => ({ bytes: applyByteOps(s, ops), knob: k }));
}

// ---------------------------------------------------------------- little-endian / big-endian writer

/** Grows a byte array and remembers the fields written, for Layout. */
export class Writer {
  private buf = new Uint8Array(1024);
  length = 0;
  readonly fields: Field[] = [];

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Write an integer; `field` records it as a mutation point. */
  int(value: number, width: 1 | 2 | 4, le: boolean, field = true): this {
    this.room(width);
    if (field) this.fields.push({ at: this.length, width, le });
    writeInt(this.buf, this.length, width, le, value);
    this.length += width;
    return this;
  }

  bytes(b: Uint8Array | string): this {
    const data = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    this.room(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  /** Overwrite an integer already written (offsets known only later). */
  patch(at: number, value: number, width: 1 | 2 | 4, le: boolean, field = true): this {
    writeInt(this.buf, at, width, le, value);
    if (field) this.fields.push({ at, width, le });
    return this;
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

// ---------------------------------------------------------------- JSON trees

/** A JSON tree that keeps key order, duplicate keys and raw (possibly invalid or huge) text. */
export type JNode =
  | { readonly t: 'obj'; readonly entries: [string, JNode][] }
  | { readonly t: 'arr'; readonly items: JNode[] }
  | { readonly t: 'raw'; readonly text: string };

export function toNode(v: unknown): JNode {
  if (Array.isArray(v)) return { t: 'arr', items: v.map(toNode) };
  if (v !== null && typeof v === 'object')
    return { t: 'obj', entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toNode(x)]) };
  return { t: 'raw', text: JSON.stringify(v) ?? 'null' };
}

/** Serialise without recursion (nesting may be thousands deep). */
export function nodeText(root: JNode): string {
  const out: string[] = [];
  const stack: (JNode | string)[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as JNode | string;
    if (typeof n === 'string') {
      out.push(n);
      continue;
    }
    if (n.t === 'raw') out.push(n.text);
    else if (n.t === 'arr') {
      out.push('[');
      stack.push(']');
      for (let i = n.items.length - 1; i >= 0; i--) {
        stack.push(n.items[i] as JNode);
        if (i > 0) stack.push(',');
      }
    } else {
      out.push('{');
      stack.push('}');
      for (let i = n.entries.length - 1; i >= 0; i--) {
        const [k, v] = n.entries[i] as [string, JNode];
        stack.push(v);
        stack.push(`${JSON.stringify(k)}:`);
        if (i > 0) stack.push(',');
      }
    }
  }
  return out.join('');
}

/** Keys with a meaning to JavaScript objects, and a few that are easy to mishandle. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '',
  ' ',
  'length',
  '0',
] as const;

/** Scalars that break naive readers: wrong types, edge numbers, bad escapes, long text. */
export const hostileScalar: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'null',
      'true',
      'false',
      '0',
      '-1',
      '-0',
      '1e309',
      '-1e309',
      '1e-400',
      '4294967296',
      '9007199254740993',
      '123456789012345678901234567890',
      '0.5',
      '""',
      '" "',
      '"\\u0000"',
      '"\\ud800"',
      '"\\udfff\\ud800"',
      '"%"',
      '"%zz"',
      '"%E0%A4%A"',
      '"%00"',
      '"__proto__"',
      '"constructor"',
      '"toString"',
      '"hasOwnProperty"',
      '"\\u202e"',
      '"../../../etc/passwd"',
      '"pkg:"',
      '"pkg:npm/%zz@1"',
      '"pkg:deb/debian/a@1?arch=%zz"',
      '"pkg:maven/a/b@1?type=jar#sub/%2e%2e"',
      '"pkg:oci/x@sha256%3Aab"',
      '"urn:cdx:x/1#%zz"',
      '"urn:cdx:x/1#"',
      '"9999-99-99"',
      '"2024-02-30"',
      '"0000-01-01T00:00:00Z"',
      '"+275760-09-13T00:00:00.001Z"',
      '{}',
      '[]',
      '[null]',
      '{"":{}}',
    ),
    weight: 10,
  },
  { arbitrary: fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 3 },
  { arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => JSON.stringify('x'.repeat(n))), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => JSON.stringify('%'.repeat(n))), weight: 1 },
);

export type JsonOp =
  | { readonly op: 'replace'; readonly at: number; readonly text: string }
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'dup'; readonly at: number; readonly times: number }
  | { readonly op: 'rename'; readonly at: number; readonly key: string }
  /** Nest the node in itself `depth` times under `key` (components in components …). */
  | { readonly op: 'nest'; readonly at: number; readonly key: string; readonly depth: number }
  /** Replace with plain [[[…]]] or {"a":{"a":…}} nesting. */
  | { readonly op: 'deep'; readonly at: number; readonly depth: number; readonly object: boolean };

export function jsonOp(nestKeys: readonly string[], extra: fc.Arbitrary<string> = hostileScalar): fc.Arbitrary<JsonOp> {
  const depth = fc.oneof(
    { arbitrary: fc.integer({ min: 2, max: 100 }), weight: 4 },
    { arbitrary: fc.integer({ min: 100, max: 100_000 }), weight: 1 },
  );
  return fc.oneof(
    {
      arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), text: fc.oneof(hostileScalar, extra) }),
      weight: 6,
    },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }), weight: 2 },
    {
      arbitrary: fc.record({
        op: fc.constant('dup' as const),
        at: fc.nat(),
        times: fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 9 },
          { arbitrary: fc.integer({ min: 100, max: 50_000 }), weight: 1 },
        ),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        op: fc.constant('rename' as const),
        at: fc.nat(),
        key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 })),
      }),
      weight: 2,
    },
    {
      arbitrary: fc.record({
        op: fc.constant('nest' as const),
        at: fc.nat(),
        key: fc.constantFrom(...nestKeys),
        depth,
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({ op: fc.constant('deep' as const), at: fc.nat(), depth, object: fc.boolean() }),
      weight: 1,
    },
  );
}

interface Slot {
  readonly get: () => JNode;
  readonly set: (n: JNode) => void;
  readonly remove: () => void;
  /** Where the node sits: an array item (dup-able) or an object entry (rename-able). */
  readonly parent:
    | { readonly t: 'arr'; readonly items: JNode[] }
    | { readonly t: 'obj'; readonly entries: [string, JNode][] };
  readonly index: number;
}

function slots(root: JNode): Slot[] {
  const out: Slot[] = [];
  const stack: JNode[] = [root];
  while (stack.length > 0 && out.length < 50_000) {
    const n = stack.pop() as JNode;
    if (n.t === 'arr') {
      n.items.forEach((c, i) => {
        out.push({
          get: () => n.items[i] as JNode,
          set: (x) => {
            n.items[i] = x;
          },
          remove: () => n.items.splice(i, 1),
          parent: n,
          index: i,
        });
        stack.push(c);
      });
    } else if (n.t === 'obj') {
      n.entries.forEach((e, i) => {
        out.push({
          get: () => e[1],
          set: (x) => {
            e[1] = x;
          },
          remove: () => n.entries.splice(i, 1),
          parent: n,
          index: i,
        });
        stack.push(e[1]);
      });
    }
  }
  return out;
}

function deepText(depth: number, object: boolean): string {
  return object ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Nest `n` in itself: n' = n with n'[key] = [n''] …, as text (the nesting may be deep), within `room` characters. */
function nested(n: JNode, key: string, depth: number, room: number): JNode {
  if (n.t !== 'obj') return { t: 'raw', text: deepText(Math.min(depth, Math.floor(room / 2)), false) };
  const marker = '"\u0000NEST\u0000"';
  const withHole: JNode = {
    t: 'obj',
    entries: [...n.entries.filter(([k]) => k !== key), [key, { t: 'raw', text: `[${marker}]` }]],
  };
  const [pre, post] = nodeText(withHole).split(marker) as [string, string];
  const leaf = nodeText({ t: 'obj', entries: n.entries.filter(([k]) => k !== key) });
  const d = Math.max(1, Math.min(depth, Math.floor((room - leaf.length) / Math.max(1, pre.length + post.length))));
  return { t: 'raw', text: `${pre.repeat(d)}${leaf}${post.repeat(d)}` };
}

/**
 * Apply JSON ops to a copy of the tree. Each op is sized to what room is left
 * under MAX_INPUT, and copies are raw text (never shared subtrees, which a later
 * op would grow all at once).
 */
export function applyJsonOps(root: JNode, ops: readonly JsonOp[]): JNode {
  const copy = toNodeCopy(root);
  for (const o of ops) {
    const all = slots(copy);
    if (all.length === 0) break;
    const s = all[o.at % all.length] as Slot;
    const room = MAX_INPUT - nodeText(copy).length;
    if (room <= 0) break;
    switch (o.op) {
      case 'replace':
        if (o.text.length <= room) s.set({ t: 'raw', text: o.text });
        break;
      case 'delete':
        s.remove();
        break;
      case 'dup': {
        if (s.parent.t !== 'arr') break;
        const text = nodeText(s.get());
        const times = Math.min(o.times, Math.floor(room / (text.length + 1)));
        const raw: JNode = { t: 'raw', text };
        s.parent.items.splice(s.index, 0, ...new Array<JNode>(times).fill(raw));
        break;
      }
      case 'rename':
        if (s.parent.t === 'obj') {
          const e = s.parent.entries[s.index];
          if (e) s.parent.entries[s.index] = [o.key, e[1]];
        }
        break;
      case 'nest':
        s.set(nested(s.get(), o.key, o.depth, room));
        break;
      case 'deep':
        s.set({ t: 'raw', text: deepText(Math.min(o.depth, Math.floor(room / 6)), o.object) });
        break;
    }
  }
  return copy;
}

function toNodeCopy(n: JNode): JNode {
  if (n.t === 'raw') return n;
  if (n.t === 'arr') return { t: 'arr', items: n.items.map(toNodeCopy) };
  return { t: 'obj', entries: n.entries.map(([k, v]) => [k, toNodeCopy(v)]) };
}

/** JSON documents: a seed, JSON ops, then (sometimes) byte ops on the text. */
export function mutatedJson(
  seeds: readonly unknown[],
  nestKeys: readonly string[],
  extra?: fc.Arbitrary<string>,
): fc.Arbitrary<FuzzInput> {
  const trees = seeds.map(toNode);
  return fc
    .tuple(fc.constantFrom(...trees), someOps(jsonOp(nestKeys, extra), 6), someOps(byteOp, 2), fc.nat())
    .map(([tree, jops, bops, knob]) => ({
      bytes: applyByteOps(Buffer.from(nodeText(applyJsonOps(tree, jops)), 'utf8'), bops),
      knob,
    }));
}
