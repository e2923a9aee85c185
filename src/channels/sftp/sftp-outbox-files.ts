import type { MessageSummary } from '../../messages/message-records.js';
import type { MessageStore } from '../../messages/message-store.js';
import type { Channel } from '../../messages/message-state.js';

/** A queued outbound message as the partner sees it in `outbox/`. */
export interface OutboxFile {
  readonly name: string;
  readonly messageId: string;
  readonly payload: Buffer;
  readonly receivedAt: Date;
}

/**
 * `<interchange control number>.<document type>.edi` (e.g. `000000042.856.edi`), or the message
 * id in place of the control number when there is none (acks) or when two files would share a
 * name. Names are computed from the database each time, so every node shows the same files.
 */
export function outboxFileName(message: MessageSummary, taken: ReadonlySet<string>): string {
  const type = (message.documentType ?? 'document').replace(/^x12-|^edifact-/, '').toLowerCase();
  const extension = message.format === 'json' ? 'json' : 'edi';
  const byControl = message.interchangeControlNumber
    ? `${message.interchangeControlNumber}.${type}.${extension}`
    : undefined;
  return byControl && !taken.has(byControl) ? byControl : `${message.id}.${type}.${extension}`;
}

/** The partner's queued outbound messages for this channel, named as files, oldest first. */
export async function listOutboxFiles(
  store: MessageStore,
  tenantId: string,
  partnerId: string,
  channel: Channel,
): Promise<OutboxFile[]> {
  const messages = await store.outbox(tenantId, partnerId, { channel });
  const taken = new Set<string>();
  return messages.map((message) => {
    const name = outboxFileName(message, taken);
    taken.add(name);
    return {
      name,
      messageId: message.id,
      payload: message.payload,
      receivedAt: new Date(message.receivedAt),
    };
  });
}
