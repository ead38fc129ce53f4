/**
 * What a Dockerfile takes from the build context: the sources of each COPY and ADD that does
 * not copy from a stage or image (`--from`), URLs left out.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import picomatch from 'picomatch';

export interface ContextCopy {
  /** 1-based position among the Dockerfile's instructions (the classic builder's `Step N`) */
  position: number;
  /** 1-based line of the instruction */
  line: number;
  keyword: 'COPY' | 'ADD';
  /** source paths or patterns as written, relative to the context (`.` for all of it) */
  sources: string[];
}

export function contextCopies(text: string): ContextCopy[] {
  const copies: ContextCopy[] = [];
  for (const [index, instruction] of DockerfileParser.parse(text).getInstructions().entries()) {
    const keyword = instruction.getKeyword().toUpperCase();
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    if (fromFlagOf(instruction) !== undefined) continue;
    const args = argumentsOf(instruction);
    // a heredoc (`COPY <<EOF app/settings.py`) writes its own content: nothing comes from the context
    if (args.some((arg) => arg.startsWith('<<'))) continue;
    const sources = args.slice(0, -1).filter((source) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith('git@'));
    if (sources.length > 0) copies.push({ position: index + 1, line: instruction.getRange().start.line + 1, keyword, sources });
  }
  return copies;
}

/** A COPY source (a file, a directory, a pattern, or `.`) as a test on context paths. */
export function copySourceMatcher(source: string): (file: string) => boolean {
  const path = source.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '' || path === '.') return () => true;
  const exact = picomatch(path, { dot: true });
  const below = picomatch(`${path}/**`, { dot: true });
  return (file) => exact(file) || below(file);
}

function fromFlagOf(instruction: Instruction): string | undefined {
  const withFlag = instruction as Instruction & { getFromFlag?: () => { getValue(): string | null } | null };
  return withFlag.getFromFlag?.()?.getValue() ?? undefined;
}

/**
 * The exec (JSON) form's strings, else the shell form's words (flags are not arguments). The
 * JSON form is parsed from the text: dockerfile-ast drops the spaces inside its strings.
 */
function argumentsOf(instruction: Instruction): string[] {
  const json = /\[[\s\S]*\]\s*$/.exec(instruction.toString())?.[0];
  if (json !== undefined) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed as string[];
    } catch {
      // not the exec form: a shell-form argument that happens to hold brackets
    }
  }
  return instruction.getArguments().map((a) => a.getValue());
}
