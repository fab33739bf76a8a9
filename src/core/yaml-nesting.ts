/**
 * The depth of a YAML text, measured before it is parsed (core/untrusted-data.ts says why).
 * A module of its own: the yaml package it lexes with is loaded only by what reads YAML,
 * not by every command that reads JSON (a warm `customs sbom` reads none).
 */
import { CST, Lexer } from 'yaml';
import { MAX_NESTING } from './untrusted-data.js';

/**
 * Why a YAML (or JSON) text would nest too deeply ("line 3: nested more than
 * 256 levels deep"), or undefined, measured on the yaml package's own lexer
 * (linear, and it knows quotes, comments and block scalars, so nothing can
 * hide a bracket from this count that the parser would see). Flow
 * collections count exactly; a block collection needs a deeper indentation
 * or an indicator ("- ", "? ", ": ") on its line, so a line's indentation
 * plus its indicators bounds the block depth there.
 */
export function yamlNestingProblem(text: string, limit = MAX_NESTING): string | undefined {
  let flow = 0;
  let block = 0;
  let lineStart = true;
  let line = 1;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    switch (type) {
      case 'doc-mode':
      case 'byte-order-mark':
        continue; // markers of the lexer's own, before the first line's indentation
      case 'newline':
        line++;
        block = 0;
        lineStart = true;
        continue;
      case 'space':
        // Indentation; a block scalar's content also comes as one token, with its line breaks.
        if (lineStart && !token.includes('\n')) block += token.length;
        line += countLines(token);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
      case 'map-value-ind':
        if (flow === 0) block++;
        lineStart = false;
        break;
      case 'flow-seq-start':
      case 'flow-map-start':
        flow++;
        lineStart = false;
        break;
      case 'flow-seq-end':
      case 'flow-map-end':
        flow = Math.max(0, flow - 1);
        lineStart = false;
        break;
      default:
        lineStart = false;
        line += countLines(token);
    }
    if (block + flow > limit) return `line ${line}: nested more than ${limit} levels deep`;
  }
  return undefined;
}

function countLines(token: string): number {
  let n = 0;
  for (let i = token.indexOf('\n'); i !== -1; i = token.indexOf('\n', i + 1)) n++;
  return n;
}
