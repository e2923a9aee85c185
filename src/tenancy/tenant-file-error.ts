/** One problem in one tenant file: where (file, line, JSON pointer) and what. */
export interface TenantFileProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** JSON pointer inside the file's document, `/partners/1/kind`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(problem: TenantFileProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}:${problem.column ?? 1}` : problem.file;
  return `${where} ${problem.path || '/'}: ${problem.message}`;
}

export class TenantFileError extends Error {
  constructor(readonly problems: readonly TenantFileProblem[]) {
    super(
      problems.length === 1
        ? `invalid tenant file: ${formatProblem(problems[0]!)}`
        : `invalid tenant files (${problems.length} problems):\n  ${problems.map(formatProblem).join('\n  ')}`,
    );
    this.name = 'TenantFileError';
  }
}
