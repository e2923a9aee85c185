/**
 * Building diagnostics for failures around the engine (unreadable input, a generator that threw):
 * one shape, so every "could not" reads the same in acks, logs and the CLI.
 */
import type { Diagnostic } from './edi-types.js';

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An interchange-level error (TA105 024 unless a code is given). */
export function interchangeError(rule: string, message: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { severity: 'error', level: 'interchange', code: '024', rule, message, ...extra };
}
