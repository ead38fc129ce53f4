/**
 * A Dockerfile as a list of instructions with their line and stage, parsed by dockerfile-ast
 * (the parser behind the Docker language server). The classic builder's `Step N/M` is the
 * N-th instruction of this list; BuildKit names steps per stage.
 */
import { DockerfileParser } from 'dockerfile-ast';

export interface DockerfileInstruction {
  /** 1-based position in the file: what the classic builder prints as `Step N/M` */
  position: number;
  /** 1-based line the instruction starts on, in the user's file; null for an instruction layerbench added */
  line: number | null;
  /** upper-case keyword: FROM, RUN, COPY … */
  keyword: string;
  /** the instruction on one line, continuations joined */
  text: string;
  /** the stage's `AS` name, else its number from 0; null for ARGs before the first FROM */
  stage: string | null;
}

export interface DockerfileStage {
  /** from 0, in file order */
  index: number;
  /** the `AS` name, if any */
  name: string | null;
  /** the image the stage starts from, as written (may hold `${ARG}`) */
  from: string;
  line: number;
}

export interface DockerfileModel {
  instructions: DockerfileInstruction[];
  stages: DockerfileStage[];
}

/**
 * @param originalLine for a Dockerfile layerbench rewrote: maps its lines back to the user's
 *   (null for a line layerbench added), so that steps name the lines the user wrote
 */
export function parseDockerfile(text: string, originalLine: (line: number) => number | null = (line) => line): DockerfileModel {
  const parsed = DockerfileParser.parse(text);
  const instructions: DockerfileInstruction[] = [];
  const stages: DockerfileStage[] = [];
  let stage: string | null = null;
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const startLine = instruction.getRange().start.line + 1;
    const line = originalLine(startLine);
    if (keyword === 'FROM') {
      const from = parsed.getFROMs().find((f) => f.getRange().start.line + 1 === startLine);
      const name = from?.getBuildStage() ?? null;
      stages.push({ index: stages.length, name, from: from?.getImage() ?? '', line: line ?? startLine });
      stage = name ?? String(stages.length - 1);
    }
    instructions.push({ position: instructions.length + 1, line, keyword, text: instruction.toString(), stage });
  }
  return { instructions, stages };
}

/** The instructions BuildKit turns into steps of their own (`[stage i/m]`). */
const BUILDKIT_STEP_KEYWORDS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR']);

/**
 * The instruction BuildKit names `[stage i/m]`: the i-th FROM/RUN/COPY/ADD/WORKDIR of that
 * stage. `stage` is the name BuildKit printed (the `AS` name, or `stage-N`), undefined for a
 * single-stage build.
 */
export function buildkitStepInstruction(model: DockerfileModel, stage: string | undefined, positionInStage: number): DockerfileInstruction | undefined {
  const target =
    stage === undefined ? (model.stages.length === 1 ? model.stages[0] : undefined)
    : model.stages.find((s) => s.name === stage) ?? model.stages.find((s) => `stage-${s.index}` === stage);
  if (target === undefined) return undefined;
  const label = target.name ?? String(target.index);
  const steps = model.instructions.filter((i) => i.stage === label && BUILDKIT_STEP_KEYWORDS.has(i.keyword));
  return steps[positionInStage - 1];
}
