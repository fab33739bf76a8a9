/**
 * The Dockerfile as checks see it: stages of instructions with 1-based line
 * ranges. Built from a Dockerfile (parse-dockerfile.ts, dockerfile-ast) or
 * reconstructed from image history (history-model.ts); `source` says which,
 * so checks that are wrong on history are not run on it.
 */
export interface DfFlag {
  readonly name: string;
  readonly value: string | null;
}

export interface DfInstruction {
  /** Upper-case keyword: RUN, FROM, COPY … */
  readonly keyword: string;
  /** The arguments after the keyword and flags, continuation lines joined, comment lines dropped. */
  readonly args: string;
  /** The argument words (quotes kept as written, except for JSON/exec form, see `json`). */
  readonly words: readonly string[];
  readonly flags: readonly DfFlag[];
  /** Exec form (`["a", "b"]`): the parsed strings; undefined for shell form. */
  readonly json?: readonly string[];
  /** ENV/ARG/LABEL: name and value (value null for `ARG NAME` without default). */
  readonly properties?: readonly { readonly name: string; readonly value: string | null }[];
  readonly startLine: number;
  readonly endLine: number;
  /** The instruction as written (first line), for evidence. */
  readonly text: string;
  /**
   * True for the instruction an `ONBUILD` wraps: it runs in every image
   * built FROM this one, so the checks that judge what an instruction does
   * (RUN, ADD, ARG/ENV, EXPOSE) judge it too (hadolint checks ONBUILD
   * triggers the same way).
   */
  readonly onbuild?: boolean;
}

export interface DfStage {
  readonly index: number;
  /** The FROM instruction. */
  readonly from: DfInstruction;
  /** The base image after ARG substitution, or undefined when it cannot be resolved. */
  readonly image?: string;
  /** Raw image text as written. */
  readonly imageText: string;
  /** `AS name`, lower-cased (stage names are case-insensitive). */
  readonly name?: string;
  /** True when FROM names an earlier stage (not an image to pull). */
  readonly fromStage: boolean;
  readonly instructions: readonly DfInstruction[];
  /** The instructions wrapped by this stage's ONBUILDs (each with `onbuild: true`), in file order. */
  readonly triggers: readonly DfInstruction[];
}

export interface DockerfileModel {
  readonly path: string;
  readonly source: 'dockerfile' | 'history';
  readonly stages: readonly DfStage[];
  /** ARGs before the first FROM. */
  readonly globalArgs: readonly DfInstruction[];
}

/** The stage that becomes the image (the last one). */
export function finalStage(model: DockerfileModel): DfStage | undefined {
  return model.stages[model.stages.length - 1];
}

/** Every instruction, ONBUILD triggers included. */
export function allInstructions(model: DockerfileModel): DfInstruction[] {
  return [...model.globalArgs, ...model.stages.flatMap((s) => [s.from, ...s.instructions, ...s.triggers])];
}

/** A stage's instructions of one keyword, with its ONBUILD triggers of that keyword, in line order. */
export function instructionsOf(stage: DfStage, keyword: string): DfInstruction[] {
  return [...stage.instructions, ...stage.triggers]
    .filter((i) => i.keyword === keyword)
    .sort((a, b) => a.startLine - b.startLine);
}

/** The earlier stage a stage is built on (`FROM build`), if any. */
export function parentStage(model: DockerfileModel, stage: DfStage): DfStage | undefined {
  if (!stage.fromStage || stage.image === undefined) return undefined;
  const name = stage.image.toLowerCase();
  return model.stages.slice(0, stage.index).findLast((s) => s.name === name);
}

export function locationOf(
  model: DockerfileModel,
  ins: DfInstruction,
): { path: string; startLine: number; endLine: number } {
  return { path: model.path, startLine: ins.startLine, endLine: ins.endLine };
}
