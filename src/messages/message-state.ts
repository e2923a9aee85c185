/**
 * Message and document lifecycles. Names follow the OCA EDI framework where they fit (see
 * ODOO.md: `input_pending` ≈ received, `input_processed` ≈ delivered, `validate_error` ≈ rejected).
 */
export enum InboundState {
  Received = 'received',
  Parsed = 'parsed',
  Translated = 'translated',
  Delivering = 'delivering',
  Delivered = 'delivered',
  /**
   * Bad input: diagnostics and a negative ack are kept with it. Also what a channel refused before
   * accepting it (negative MDN, refused SFTP upload): a `CHANNEL_REFUSED` diagnostic, never replayed.
   */
  Rejected = 'rejected',
  /** A delivery attempt failed and will be retried. */
  Failed = 'failed',
  /** Retries exhausted, or a business rejection by Odoo: waits for an operator to replay it. */
  DeadLettered = 'dead_lettered',
  /** A test-environment document for a tenant without a sandbox: kept, never sent to production. */
  HeldTest = 'held_test',
  /** The same interchange (sender + control number) was already received within the window. */
  Duplicate = 'duplicate',
}

export enum OutboundState {
  Queued = 'queued',
  Sent = 'sent',
  Acknowledged = 'acknowledged',
  Rejected = 'rejected',
  AckOverdue = 'ack_overdue',
}

export type MessageState = InboundState | OutboundState;

export type DocumentState =
  | InboundState.Translated
  | InboundState.Delivering
  | InboundState.Delivered
  | InboundState.Rejected
  | InboundState.Failed
  | InboundState.DeadLettered
  | InboundState.HeldTest;

export type Direction = 'inbound' | 'outbound';
export type Channel = 'rest' | 'as2' | 'sftp' | 'sftp-poll' | 'odoo' | 'cli' | 'webhook';
export type PayloadFormat = 'x12' | 'edifact' | 'json' | 'unknown';

/** Document states after which no delivery job will act again by itself. */
export const FINAL_DOCUMENT_STATES: readonly DocumentState[] = [
  InboundState.Delivered,
  InboundState.Rejected,
  InboundState.DeadLettered,
  InboundState.HeldTest,
];

/**
 * What a message's state is, given its documents' states: the worst outcome wins, so an
 * operator looking at the message sees that one of its documents needs attention.
 */
export function aggregateState(documentStates: readonly DocumentState[]): InboundState {
  if (documentStates.length === 0) return InboundState.Translated;
  const has = (state: DocumentState): boolean => documentStates.includes(state);
  if (has(InboundState.DeadLettered)) return InboundState.DeadLettered;
  if (has(InboundState.Failed)) return InboundState.Failed;
  if (has(InboundState.Delivering) || has(InboundState.Translated)) return InboundState.Delivering;
  if (has(InboundState.Rejected)) return InboundState.Rejected;
  if (has(InboundState.HeldTest)) return InboundState.HeldTest;
  return InboundState.Delivered;
}
