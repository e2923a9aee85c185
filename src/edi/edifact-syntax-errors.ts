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
