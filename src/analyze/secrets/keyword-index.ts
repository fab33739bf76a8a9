/**
 * Below this many bytes searched in all, each keyword is looked for on its own: the DFA costs
 * a few milliseconds to build (2,000 states × 256 bytes for the built-in rules), more than the
 * image config's few kilobytes take to search directly, and a warm scan searches nothing else.
 */
const DIRECT_SEARCH_BYTES = 16 * 1024;

/**
 * Case-insensitive multi-keyword search in one pass over the bytes
 * (Aho–Corasick, as a full DFA over byte values). Keywords are ASCII; upper
 * case ASCII bytes of the input are folded to lower case by the transition
 * table itself, so the input is neither decoded nor lower-cased first. The
 * DFA is built once the index has searched DIRECT_SEARCH_BYTES; until then each
 * keyword is searched for directly, with the same answers.
 */
export class KeywordIndex {
  readonly keywords: readonly string[];
  /** Each keyword as the DFA matches it: the bytes of its lower case in latin1, as a latin1 string. */
  private readonly needles: readonly string[];
  private dfa: Dfa | undefined;
  private searched = 0;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    this.needles = keywords.map((k) => Buffer.from(k.toLowerCase(), 'latin1').toString('latin1'));
  }

  /** Which keywords occur in `bytes` (one flag per keyword). */
  present(bytes: Uint8Array): Uint8Array {
    this.searched += bytes.length;
    if (this.dfa === undefined && this.searched <= DIRECT_SEARCH_BYTES) return this.presentDirect(bytes);
    this.dfa ??= new Dfa(this.keywords);
    return this.dfa.present(bytes);
  }

  /** `present` without the DFA: ASCII upper case folded (as the DFA folds it), then each keyword looked for. */
  private presentDirect(bytes: Uint8Array): Uint8Array {
    const found = new Uint8Array(this.keywords.length);
    if (bytes.length === 0) return found;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
      .toString('latin1')
      .replace(/[A-Z]+/g, (m) => m.toLowerCase());
    this.needles.forEach((kw, k) => {
      if (text.includes(kw)) found[k] = 1;
    });
    return found;
  }
}

/** The Aho–Corasick automaton of the keywords, as a full transition table. */
class Dfa {
  private readonly count: number;
  /** next[state * 256 + byte] → state. */
  private readonly next: Int32Array;
  /** For each state, the keyword indices that end there (through suffix links too), or undefined. */
  private readonly outputs: (readonly number[] | undefined)[];

  constructor(keywords: readonly string[]) {
    this.count = keywords.length;
    const goto: Map<number, number>[] = [new Map()];
    const out: number[][] = [[]];
    keywords.forEach((kw, k) => {
      let s = 0;
      for (const b of Buffer.from(kw.toLowerCase(), 'latin1')) {
        let t = goto[s]?.get(b);
        if (t === undefined) {
          t = goto.length;
          goto.push(new Map());
          out.push([]);
          goto[s]?.set(b, t);
        }
        s = t;
      }
      out[s]?.push(k);
    });
    const n = goto.length;
    const next = new Int32Array(n * 256);
    const fail = new Int32Array(n);
    // Breadth-first: a state's suffix link is resolved before its children's.
    const queue: number[] = [];
    for (let b = 0; b < 256; b++) {
      const t = goto[0]?.get(b);
      if (t !== undefined) {
        next[b] = t;
        queue.push(t);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi] as number;
      const f = fail[s] as number;
      const outS = out[s] as number[];
      for (const k of out[f] as number[]) if (!outS.includes(k)) outS.push(k);
      for (let b = 0; b < 256; b++) {
        const t = goto[s]?.get(b);
        if (t !== undefined) {
          fail[t] = next[f * 256 + b] as number;
          next[s * 256 + b] = t;
          queue.push(t);
        } else next[s * 256 + b] = next[f * 256 + b] as number;
      }
    }
    // Fold A–Z onto a–z.
    for (let s = 0; s < n; s++) for (let b = 65; b <= 90; b++) next[s * 256 + b] = next[s * 256 + b + 32] as number;
    this.next = next;
    this.outputs = out.map((o) => (o.length > 0 ? o : undefined));
  }

  present(bytes: Uint8Array): Uint8Array {
    const found = new Uint8Array(this.count);
    const { next, outputs } = this;
    let remaining = this.count;
    let s = 0;
    for (let i = 0; i < bytes.length && remaining > 0; i++) {
      s = next[(s << 8) | (bytes[i] as number)] as number;
      const o = outputs[s];
      if (o !== undefined) {
        for (const k of o) {
          if (found[k] === 0) {
            found[k] = 1;
            remaining--;
          }
        }
      }
    }
    return found;
  }
}
