import type { DfInstruction, DockerfileModel } from './model.js';

/** One entry of the image config's `history` (image-spec config.md). */
export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

const SHELL_PREFIX = /^(?:\/bin\/(?:ba)?sh -c|cmd \/S \/C)\s+/;
const NOP = /^#\(nop\)\s+/;
/** `|2 A=1 B=2 ` build-argument prefix the builders put before a RUN that saw build args. */
const BUILD_ARGS = /^\|(\d+)\s+/;

function splitAssignments(text: string, count: number): { props: { name: string; value: string }[]; rest: string } {
  const props: { name: string; value: string }[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s+/.exec(rest);
    if (!m) break;
    props.push({ name: m[1] as string, value: m[2] as string });
    rest = rest.slice(m[0].length);
  }
  return { props, rest };
}

/** ENV as history prints it: `A=1 B=2` (BuildKit, classic ≥ 1.x) or the legacy `A 1`. */
function envProperties(args: string): { name: string; value: string | null }[] {
  const eq = /^([A-Za-z_][A-Za-z0-9_.-]*)=/;
  if (!eq.test(args)) {
    const m = /^(\S+)\s+(.*)$/.exec(args);
    return m ? [{ name: m[1] as string, value: m[2] as string }] : [];
  }
  const out: { name: string; value: string | null }[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of args.matchAll(re)) {
    let v = m[2] as string;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out.push({ name: m[1] as string, value: v });
  }
  return out;
}

function instruction(
  keyword: string,
  args: string,
  line: number,
  text: string,
  extra: Partial<DfInstruction> = {},
): DfInstruction {
  return {
    keyword,
    args,
    words: args.split(/\s+/).filter(Boolean),
    flags: [],
    startLine: line,
    endLine: line,
    text,
    ...extra,
  };
}

/**
 * The instructions a history entry records, as far as they can be known:
 * classic builder `/bin/sh -c #(nop)  CMD ["x"]` (metadata) and `/bin/sh -c
 * apt-get …` (RUN), `|2 A=1 B=2 /bin/sh -c …` (RUN with build args, which the
 * builder records in clear: returned as an ARG with those values), and
 * BuildKit `RUN /bin/sh -c … # buildkit`, `COPY . /app # buildkit`,
 * `ENV A=b`, `USER x`. Entries it does not understand give nothing.
 */
export function historyInstructions(createdBy: string, line: number): DfInstruction[] {
  const text = createdBy.trim();
  let rest = text.replace(/\s+# buildkit$/, '');
  const out: DfInstruction[] = [];
  const buildKitRun = /^RUN\s+/.exec(rest);
  if (buildKitRun) rest = rest.slice(buildKitRun[0].length);
  else if (!SHELL_PREFIX.test(rest) && !BUILD_ARGS.test(rest)) {
    // BuildKit metadata instruction: `KEYWORD args`.
    const m = /^([A-Z]+)\s*(.*)$/s.exec(rest);
    if (!m) return [];
    const keyword = m[1] as string;
    const args = (m[2] as string).trim();
    return [instruction(keyword, args, line, text, keyword === 'ENV' ? { properties: envProperties(args) } : {})];
  }
  const ba = BUILD_ARGS.exec(rest);
  if (ba) {
    const { props, rest: after } = splitAssignments(rest.slice(ba[0].length), Number(ba[1]));
    out.push(instruction('ARG', props.map((p) => `${p.name}=${p.value}`).join(' '), line, text, { properties: props }));
    rest = after;
  }
  const shell = SHELL_PREFIX.exec(rest);
  if (shell) rest = rest.slice(shell[0].length);
  else if (!buildKitRun) return out;
  const nop = NOP.exec(rest);
  if (nop) {
    const m = /^([A-Z]+)\s*(.*)$/s.exec(rest.slice(nop[0].length));
    if (!m) return out;
    const keyword = m[1] as string;
    const args = (m[2] as string).trim();
    out.push(instruction(keyword, args, line, text, keyword === 'ENV' ? { properties: envProperties(args) } : {}));
    return out;
  }
  out.push(instruction('RUN', rest, line, text));
  return out;
}

/**
 * A one-stage model of the image's build from its history. `startLine` is
 * the 1-based index of the history entry. Base-image entries are included:
 * history cannot tell stages apart, which is why only some checks run on it.
 */
export function historyModel(history: readonly HistoryEntry[], target: string): DockerfileModel {
  const instructions = history.flatMap((h, i) => (h.created_by ? historyInstructions(h.created_by, i + 1) : []));
  const from: DfInstruction = instruction('FROM', '', 0, '');
  return {
    path: target,
    source: 'history',
    globalArgs: [],
    stages: [{ index: 0, from, imageText: '', fromStage: false, instructions, triggers: [] }],
  };
}
