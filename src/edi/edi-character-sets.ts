/*
 * The characters an interchange may carry and the bytes it goes out as. The EDIFACT syntax
 * identifier (UNB S001 0001) names both a repertoire and an encoding, so what render declares and
 * the bytes it hands on must agree: UNOA/UNOB are 7-bit subsets, UNOC is ISO 8859-1 (one byte per
 * character), UNOW/UNOY are ISO 10646 as UTF-8 (syntax version 4). X12 (X12.6 basic and extended
 * character sets) is printable ASCII. Control characters are left to the writers, which write them
 * as spaces.
 */

export const EDIFACT_SYNTAX_IDENTIFIERS = ['UNOA', 'UNOB', 'UNOC', 'UNOW', 'UNOY'] as const;
export type EdifactSyntaxIdentifier = (typeof EDIFACT_SYNTAX_IDENTIFIERS)[number];
export type EdiCharacterSet = EdifactSyntaxIdentifier | 'X12';

/** C0, DEL and C1 controls: in no repertoire's data; a CR or LF would end a segment for many readers. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\x00-\x1f\x7f-\x9f]/;
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\x00-\x1f\x7f-\x9f]/g;

/** Characters outside the set, ignoring control characters (C0, DEL, C1). */
const OUTSIDE: Readonly<Record<EdiCharacterSet, RegExp>> = {
  // ISO 9735 level A: upper case letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < >
  // eslint-disable-next-line no-control-regex
  UNOA: /[^\x00-\x1f\x7f-\x9fA-Z0-9 .,\-()/='+:?!"%&*;<>]/u,
  // Level B: level A and lower case letters.
  // eslint-disable-next-line no-control-regex
  UNOB: /[^\x00-\x1f\x7f-\x9fA-Za-z0-9 .,\-()/='+:?!"%&*;<>]/u,
  // ISO 8859-1: everything up to U+00FF.
  // eslint-disable-next-line no-control-regex
  UNOC: /[^\x00-\xff]/u,
  // A lone surrogate has no UTF-8 form.
  UNOW: /\p{Surrogate}/u,
  UNOY: /\p{Surrogate}/u,
  // eslint-disable-next-line no-control-regex
  X12: /[^\x00-\x7f\x80-\x9f]/u,
};

/** UTF-8 sets need syntax version 4 (ISO 9735:1998); the others are written in version 3. */
export function edifactSyntaxVersion(syntax: EdifactSyntaxIdentifier): '3' | '4' {
  return syntax === 'UNOW' || syntax === 'UNOY' ? '4' : '3';
}

/** The first character of `value` the set cannot carry, if any. */
export function firstUnrepresentable(value: string, set: EdiCharacterSet): string | undefined {
  const match = OUTSIDE[set].exec(value);
  return match ? match[0] : undefined;
}

/** `U+00C4 "Ä"`, readable in a diagnostic even when the character is not. */
export function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')} "${ch}"`;
}

/** The bytes of text already checked against `set`: one byte per character, or UTF-8. */
export function encodeEdi(text: string, set: EdiCharacterSet): Buffer {
  return Buffer.from(text, set === 'UNOW' || set === 'UNOY' ? 'utf8' : 'latin1');
}

/**
 * Windows-1252 at 0x80-0x9F, byte by byte; elsewhere it is ISO 8859-1. The five bytes it leaves
 * undefined keep their C1 value, as in x12-tokenizer.ts, which reads a partner's input that is not
 * UTF-8 with this table: encoding with it gives the partner's bytes back.
 */
const WINDOWS_1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const WINDOWS_1252_BYTE: ReadonlyMap<string, number> = new Map(
  [...WINDOWS_1252_80_9F].map((ch, i) => [ch, 0x80 + i]),
);

/** The Windows-1252 byte of a character, or undefined when it has none. */
export function windows1252Byte(ch: string): number | undefined {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
  return WINDOWS_1252_BYTE.get(ch);
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Text as Windows-1252 bytes; a character it has no byte for (callers keep them out) is a space. */
export function encodeWindows1252(text: string): Buffer {
  if (ASCII_ONLY.test(text)) return Buffer.from(text, 'latin1');
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (const ch of text) out[n++] = windows1252Byte(ch) ?? 0x20;
  return out.subarray(0, n);
}

/**
 * Letters and punctuation with no ASCII decomposition, as X12 partners are used to reading them
 * (the Unicode decomposition takes care of accented letters: é → e).
 */
const ASCII_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00a0': ' ',
};

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * `value` in ASCII where a reader would agree it says the same (Müller → Muller, Łódź → Lodz,
 * “A” → "A"); characters with no such form (中) stay, for the caller to refuse.
 */
export function foldToAscii(value: string): string {
  if (!NON_ASCII.test(value)) return value;
  return value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u0080-\uffff]/g, (ch) => ASCII_FOLDS[ch] ?? ch)
    .normalize('NFC');
}
