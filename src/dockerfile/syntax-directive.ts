/**
 * A Dockerfile's `# syntax=IMAGE` parser directive: the BuildKit frontend image that builds it
 * (the classic builder ignores it). Directives are the `# key=value` comments at the very top,
 * before any blank line, other comment or instruction; keys are case-insensitive.
 */
export interface SyntaxDirective {
  image: string;
  /** 1-based */
  line: number;
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/;

export function syntaxDirective(text: string): SyntaxDirective | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const directive = DIRECTIVE.exec(line);
    if (directive === null) return undefined;
    if (directive[1]?.toLowerCase() === 'syntax' && directive[2] !== undefined && directive[2] !== '') return { image: directive[2], line: index + 1 };
  }
  return undefined;
}
