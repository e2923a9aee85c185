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

/** Text as a diagnostic quotes it: its first 80 characters, escaped, and its length when longer. */
export function quotedText(text: string, characters = text.length): string {
  return JSON.stringify(text.slice(0, 80)) + (characters > 80 ? `… (${characters} characters)` : '');
}

/**
 * Text after an interchange's trailer (IEA, UNZ) that holds no segment: a mail footer, a banner,
 * padding. It answers to no interchange, so no ack can carry it, and the partner's interchanges
 * before it are whole: a warning that quotes it, not an error that would say they were refused.
 * (Segments found there are an error: they may be documents no envelope carries.)
 */
export function textAfterTrailer(
  trailer: 'IEA' | 'UNZ',
  text: string,
  characters: number,
  offset: number,
  code: string,
): Diagnostic {
  return {
    severity: 'warning',
    level: 'interchange',
    code,
    rule: 'TEXT_OUTSIDE_INTERCHANGE',
    message: `text after ${trailer} holds no EDI segment and was not read; it stays in the input at byte ${offset}: ${quotedText(text, characters)}`,
    offset,
  };
}
