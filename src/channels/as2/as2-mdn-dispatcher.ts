import type { DataSource } from 'typeorm';
import { SYSTEM_TENANT, type AuditEvent } from '../../audit/audit-event.js';

interface DueMdn {
  id: string;
  tenant_id: string | null;
  partner_id: string | null;
  mdn_url: string;
  mdn_headers: Record<string, string>;
  mdn_body: Buffer;
  mdn_attempts: number;
}

const MAX_ATTEMPTS = 10;
/** While one node posts an MDN, the row is leased to it this long, so no other node sends it too. */
const LEASE_SECONDS = 60;

/**
 * Posts asynchronous MDNs to the partner's Receipt-Delivery-Option URL, retrying with backoff
 * (30 s doubling, at most 10 tries). Rows are claimed with SKIP LOCKED and a lease: any node may run it.
 */
export class As2MdnDispatcher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: (message: string) => void = () => undefined,
    /** Each failed delivery is audited, and the last one says the MDN was given up. */
    private readonly audit: (event: AuditEvent) => void = () => undefined,
  ) {}

  async tick(): Promise<number> {
    const due = (await this.dataSource.query(
      `UPDATE as2_transfers SET next_attempt_at = now() + make_interval(secs => ${LEASE_SECONDS}), mdn_attempts = mdn_attempts + 1
        WHERE id IN (SELECT id FROM as2_transfers
                      WHERE direction = 'inbound' AND mdn_url IS NOT NULL AND mdn_body IS NOT NULL
                        AND next_attempt_at <= now()
                      ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING id, tenant_id, partner_id, mdn_url, mdn_headers, mdn_body, mdn_attempts`,
    )) as [DueMdn[], number];
    for (const mdn of due[0]) {
      let delivered = false;
      let failure = '';
      try {
        const response = await fetch(mdn.mdn_url, {
          method: 'POST',
          headers: { ...mdn.mdn_headers, 'content-length': String(mdn.mdn_body.length) },
          body: new Uint8Array(mdn.mdn_body),
          signal: AbortSignal.timeout(30_000),
        });
        delivered = response.ok;
        failure = `HTTP ${response.status}`;
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        delivered = false;
        failure = (error as Error).message;
      }
      if (!delivered) {
        const last = mdn.mdn_attempts >= MAX_ATTEMPTS;
        const reason = `async MDN to ${mdn.mdn_url} failed (attempt ${mdn.mdn_attempts} of ${MAX_ATTEMPTS}): ${failure}; ${last ? 'given up: the partner never received this MDN' : 'sent again later'}`;
        this.log(`async MDN ${mdn.id}: ${reason}`);
        // Without this the partner's missing receipt left no trace an operator could find.
        this.audit({
          occurredAt: new Date(),
          tenantId: mdn.tenant_id ?? SYSTEM_TENANT,
          kind: 'message',
          action: 'as2.mdn-delivery',
          partnerId: mdn.partner_id,
          status: 502,
          resourceType: 'as2-transfer',
          resourceId: mdn.id,
          reason,
        });
      }
      await this.dataSource.query(
        `UPDATE as2_transfers SET next_attempt_at = $2, updated_at = now() WHERE id = $1`,
        [
          mdn.id,
          delivered || mdn.mdn_attempts >= MAX_ATTEMPTS
            ? null
            : new Date(Date.now() + 30_000 * 2 ** Math.min(mdn.mdn_attempts - 1, 8)),
        ],
      );
    }
    return due[0].length;
  }
}
