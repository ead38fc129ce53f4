/**
 * The first error a builder would stop at, found before anything is built: dockerfile-utils'
 * validator (the Docker language server's), errors only — its style warnings are not ours to give.
 */
import { validate } from 'dockerfile-utils';

/** The language-server protocol's DiagnosticSeverity.Error (dockerfile-utils' own ValidationSeverity is for its settings). */
const LSP_ERROR = 1;

export interface DockerfileProblem {
  /** 1-based */
  line: number;
  message: string;
}

export function dockerfileProblem(text: string): DockerfileProblem | undefined {
  const error = validate(text).find((diagnostic) => diagnostic.severity === LSP_ERROR);
  if (error === undefined) return undefined;
  const message = typeof error.message === 'string' ? error.message : error.message.value;
  return { line: error.range.start.line + 1, message: message.replace(/\.$/, '') };
}
