import type { EdifactMessageIdentifier, EdifactPartyId } from './edifact-reader.js';
import type { EdifactOutSegment } from './edifact-writer.js';

/*
 * Wraps message bodies in UNH/UNT and an UNB/UNZ interchange (optionally UNG/UNE), counting
 * segments and messages, so maps and CONTRL only produce bodies.
 */

export interface EdifactMessageOut {
  readonly messageReference: string;
  readonly identifier: EdifactMessageIdentifier;
  /** Segments between UNH and UNT. */
  readonly body: readonly EdifactOutSegment[];
}

export interface EdifactInterchangeOut {
  /** Defaults to UNOC. */
  readonly syntaxIdentifier?: string;
  /** Defaults to 3; 4 writes the date as CCYYMMDD. */
  readonly syntaxVersion?: string;
  readonly sender: EdifactPartyId;
  readonly recipient: EdifactPartyId;
  readonly preparedAt: Date;
  readonly interchangeControlNumber: string;
  readonly applicationReference?: string;
  readonly acknowledgementRequested?: boolean;
  readonly testIndicator?: boolean;
  readonly messages: readonly EdifactMessageOut[];
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** UNB S004 date and time (UTC) for a syntax version. */
export function edifactPreparationDateTime(at: Date, syntaxVersion: string): [string, string] {
  const year = syntaxVersion === '4' ? pad(at.getUTCFullYear(), 4) : pad(at.getUTCFullYear() % 100);
  return [
    year + pad(at.getUTCMonth() + 1) + pad(at.getUTCDate()),
    pad(at.getUTCHours()) + pad(at.getUTCMinutes()),
  ];
}

const partyElement = (party: EdifactPartyId): string[] => [
  party.id,
  party.qualifier ?? '',
  party.internalId ?? '',
];

export function identifierElement(identifier: EdifactMessageIdentifier): string[] {
  return [
    identifier.type,
    identifier.version,
    identifier.release,
    identifier.controllingAgency,
    identifier.associationCode ?? '',
  ];
}

/** UNH, the body, and UNT with its segment count. */
export function wrapEdifactMessage(message: EdifactMessageOut): EdifactOutSegment[] {
  return [
    { tag: 'UNH', elements: [message.messageReference, identifierElement(message.identifier)] },
    ...message.body,
    { tag: 'UNT', elements: [String(message.body.length + 2), message.messageReference] },
  ];
}

/** A complete interchange: UNB, each message, UNZ with the message count. */
export function buildEdifactInterchange(interchange: EdifactInterchangeOut): EdifactOutSegment[] {
  const syntaxVersion = interchange.syntaxVersion ?? '3';
  const [date, time] = edifactPreparationDateTime(interchange.preparedAt, syntaxVersion);
  const unb: EdifactOutSegment = {
    tag: 'UNB',
    elements: [
      [interchange.syntaxIdentifier ?? 'UNOC', syntaxVersion],
      partyElement(interchange.sender),
      partyElement(interchange.recipient),
      [date, time],
      interchange.interchangeControlNumber,
      undefined,
      interchange.applicationReference,
      undefined,
      interchange.acknowledgementRequested ? '1' : undefined,
      undefined,
      interchange.testIndicator ? '1' : undefined,
    ],
  };
  return [
    unb,
    ...interchange.messages.flatMap(wrapEdifactMessage),
    { tag: 'UNZ', elements: [String(interchange.messages.length), interchange.interchangeControlNumber] },
  ];
}
