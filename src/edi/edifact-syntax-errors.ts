import type { Diagnostic, Segment } from './edi-types.js';

/**
 * UN/EDIFACT syntax error codes (service data element 0085), the codes CONTRL reports in
 * UCI/UCF/UCM/UCS/UCD and the `code` of every EDIFACT diagnostic.
 */
export const EdifactSyntaxError = {
  UnaNotSupported: '1',
  SyntaxVersionNotSupported: '2',
  InterchangeRecipientNotActualRecipient: '7',
  InvalidValue: '12',
  Missing: '13',
  ValueNotSupportedInPosition: '14',
  NotSupportedInPosition: '15',
  TooManyConstituents: '16',
  NoAgreement: '17',
  UnspecifiedError: '18',
  InvalidDecimalNotation: '19',
  CharacterInvalidAsServiceCharacter: '20',
  InvalidCharacters: '21',
  InvalidServiceCharacters: '22',
  TestIndicatorNotSupported: '25',
  DuplicateDetected: '26',
  ReferencesDoNotMatch: '28',
  ControlCountDoesNotMatch: '29',
  GroupsAndMessagesMixed: '30',
  LowerLevelEmpty: '32',
  InvalidOccurrenceOutsideMessage: '33',
  TooManySegmentRepetitions: '35',
  InvalidTypeOfCharacters: '37',
  DataElementTooLong: '39',
  DataElementTooShort: '40',
  TrailingSeparator: '45',
  CharacterSetNotSupported: '46',
} as const;

export type EdifactSyntaxErrorCode = (typeof EdifactSyntaxError)[keyof typeof EdifactSyntaxError];

/**
 * The 0085 code of a problem the map engine finds in an element's value; the engine speaks X12
 * (AK4 6 "invalid numeric", 8 "invalid date", 7 "invalid code"), which in 0085 mean other things.
 */
const MAP_RULE_CODES: Readonly<Record<string, EdifactSyntaxErrorCode>> = {
  INVALID_DATE: EdifactSyntaxError.InvalidValue,
  INVALID_TIME: EdifactSyntaxError.InvalidValue,
  UNKNOWN_TIME_CODE: EdifactSyntaxError.InvalidValue,
  CODE_NOT_MAPPED: EdifactSyntaxError.InvalidValue,
  INVALID_NUMBER: EdifactSyntaxError.InvalidTypeOfCharacters,
  INVALID_DECIMAL: EdifactSyntaxError.InvalidTypeOfCharacters,
};

/**
 * A map diagnostic on an EDIFACT message, in EDIFACT terms: its 0085 code, and the component
 * position (CONTRL UCD S011 `1:2`) found from the bad value in the segment when the engine gives
 * only the element. `segments` are the message's, UNH first (segment positions count from UNH = 1).
 */
export function edifactMapDiagnostic<D extends Diagnostic>(d: D, segments: readonly Segment[]): D {
  const code = Object.hasOwn(MAP_RULE_CODES, d.rule) ? MAP_RULE_CODES[d.rule] : undefined;
  if (code === undefined) return d;
  let componentPosition = d.componentPosition;
  if (componentPosition === undefined && d.elementPosition !== undefined && d.segmentPosition !== undefined) {
    const components = segments[d.segmentPosition - 1]?.elements[d.elementPosition - 1] ?? [];
    const index = d.badData === undefined ? -1 : components.indexOf(d.badData);
    if (index >= 0 && components.length > 1) componentPosition = index + 1;
  }
  return { ...d, code, ...(componentPosition !== undefined ? { componentPosition } : {}) };
}
