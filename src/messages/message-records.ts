import type { Channel, Direction, DocumentState, MessageState, PayloadFormat } from './message-state.js';

/** A message as the API and the CLI show it (without its payload bytes). */
export interface MessageSummary {
  readonly id: string;
  readonly tenantId: string;
  readonly partnerId: string | null;
  readonly direction: Direction;
  readonly channel: Channel;
  readonly format: PayloadFormat | string;
  readonly documentType: string | null;
  readonly state: MessageState;
  readonly environment: 'test' | 'production';
  readonly correlationId: string;
  readonly contentType: string | null;
  readonly fileName: string | null;
  readonly payloadSha256: string;
  readonly payloadSize: number;
  readonly interchangeSender: string | null;
  readonly interchangeControlNumber: string | null;
  readonly duplicateOf: string | null;
  readonly relatedMessageId: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly receivedAt: string;
  readonly updatedAt: string;
}

export interface DocumentRecord {
  readonly id: string;
  readonly messageId: string;
  readonly documentType: string;
  readonly sequence: number;
  readonly state: DocumentState;
  readonly environment: 'test' | 'production';
  readonly target: 'production' | 'sandbox' | null;
  readonly transactionControlNumber: string | null;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly odoo: { readonly model: string; readonly id: number; readonly externalId: string } | null;
  readonly deliveredAt: string | null;
}

export interface MessageEvent {
  readonly at: string;
  readonly documentId: string | null;
  readonly from: string | null;
  readonly to: string;
  readonly cause: string;
  readonly attempt: number | null;
  readonly detail: unknown;
}

export interface MessageDetail extends MessageSummary {
  readonly diagnostics: unknown[];
  readonly documents: readonly DocumentRecord[];
  readonly history: readonly MessageEvent[];
  readonly acknowledgements: readonly MessageSummary[];
}

export interface MessageRow {
  id: string;
  tenant_id: string;
  partner_id: string | null;
  direction: Direction;
  channel: Channel;
  format: string;
  document_type: string | null;
  state: MessageState;
  environment: 'test' | 'production';
  correlation_id: string;
  content_type: string | null;
  file_name: string | null;
  payload_sha256: string;
  payload_size: number;
  interchange_sender: string | null;
  interchange_control_number: string | null;
  duplicate_of: string | null;
  related_message_id: string | null;
  diagnostics: unknown[];
  attempts: number;
  last_error: string | null;
  received_at: Date;
  updated_at: Date;
  /** received_at in microseconds since the epoch: an exact keyset cursor (Date keeps only milliseconds). */
  received_us: string;
}

export const MESSAGE_COLUMNS = `id, tenant_id, partner_id, direction, channel, format, document_type, state, environment,
  correlation_id, content_type, file_name, payload_sha256, payload_size, interchange_sender, interchange_control_number,
  duplicate_of, related_message_id, diagnostics, attempts, last_error, received_at, updated_at,
  (extract(epoch FROM received_at) * 1000000)::bigint::text AS received_us`;

export function toMessageSummary(row: MessageRow): MessageSummary {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    partnerId: row.partner_id,
    direction: row.direction,
    channel: row.channel,
    format: row.format,
    documentType: row.document_type,
    state: row.state,
    environment: row.environment,
    correlationId: row.correlation_id,
    contentType: row.content_type,
    fileName: row.file_name,
    payloadSha256: row.payload_sha256,
    payloadSize: row.payload_size,
    interchangeSender: row.interchange_sender,
    interchangeControlNumber: row.interchange_control_number,
    duplicateOf: row.duplicate_of,
    relatedMessageId: row.related_message_id,
    attempts: row.attempts,
    lastError: row.last_error,
    receivedAt: row.received_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
