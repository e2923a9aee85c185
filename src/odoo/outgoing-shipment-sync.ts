import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { PartnerDefinition } from '../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { OdooClientPool } from './odoo-client-pool.js';
import { readRecords, type OdooRecord } from './odoo-records.js';
import { doneOutgoingPickingsSince, outgoingShipment, OUTGOING_PICKING_FIELDS } from './outgoing-shipment-notice.js';
import { charValue } from './odoo-values.js';

/** Hands a canonical document to the outbox; `dedupeKey` makes a second hand-over of the same event a no-op. */
export type OutboundSink = (
  tenantId: string,
  partnerId: string,
  document: Record<string, unknown>,
  dedupeKey: string,
) => Promise<'published' | 'skipped'>;

export type PickingOutcome = 'published' | 'skipped' | 'not-done' | 'no-partner';

const FLOW = 'shipments';
const PAGE = 100;

/**
 * Odoo → partners for shipped orders: realtime (Odoo's automated action calls the events endpoint)
 * or polled (done outgoing pickings since a stored cursor). Both end in the same idempotent
 * hand-over, so an event seen twice, or by both paths, is published once.
 */
export class OutgoingShipmentSync {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantRegistry,
    private readonly clients: OdooClientPool,
    private readonly sink: OutboundSink,
    private readonly log: (message: string, error?: unknown) => void = () => undefined,
  ) {}

  /** The partner a delivery goes to: its id or customer account equals the Odoo partner's `ref`. */
  partnerFor(tenantId: string, ref: string | undefined): PartnerDefinition | undefined {
    if (!ref) return undefined;
    return this.tenants
      .tenant(tenantId)
      ?.partners.find((p) => p.active && (p.id === ref || p.customerAccount === ref));
  }

  async pickingChanged(tenantId: string, pickingId: number): Promise<PickingOutcome> {
    const client = this.clients.client(tenantId, 'production');
    const [picking] = await readRecords(client, 'stock.picking', [pickingId], OUTGOING_PICKING_FIELDS);
    return picking ? this.publish(tenantId, picking) : 'not-done';
  }

  /** One polling pass for a tenant; several nodes poll one after the other (advisory lock), never twice. */
  async poll(tenantId: string): Promise<number> {
    const lockKey = Number.parseInt(createHash('sha256').update(`odoo-poll:${tenantId}`).digest('hex').slice(0, 8), 16) | 0;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let published = 0;
    try {
      const [lock] = (await runner.query('SELECT pg_try_advisory_lock($1) AS ok', [lockKey])) as { ok: boolean }[];
      if (!lock?.ok) return 0;
      try {
        const client = this.clients.client(tenantId, 'production');
        const [row] = (await runner.query(
          `SELECT last_write_date, last_id FROM odoo_sync_cursors WHERE tenant_id = $1 AND flow = $2`,
          [tenantId, FLOW],
        )) as { last_write_date: string; last_id: number }[];
        let cursor = row ? { writeDate: row.last_write_date, id: row.last_id } : undefined;
        for (;;) {
          const pickings = await doneOutgoingPickingsSince(client, cursor, PAGE);
          for (const picking of pickings) {
            if ((await this.publish(tenantId, picking)) === 'published') published += 1;
            // The cursor moves only past pickings that were handed over (or deliberately skipped).
            cursor = { writeDate: charValue(picking['write_date']) ?? cursor?.writeDate ?? '', id: picking.id };
            await runner.query(
              `INSERT INTO odoo_sync_cursors (tenant_id, flow, last_write_date, last_id) VALUES ($1, $2, $3, $4)
               ON CONFLICT (tenant_id, flow) DO UPDATE SET last_write_date = $3, last_id = $4, polled_at = now()`,
              [tenantId, FLOW, cursor.writeDate, cursor.id],
            );
          }
          if (pickings.length < PAGE) break;
        }
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [lockKey]);
      }
    } finally {
      await runner.release();
    }
    return published;
  }

  /** Polls every tenant with an Odoo connection on the tenant's grid (batch) or every minute. */
  start(): void {
    const tick = async (): Promise<void> => {
      if (this.running) return;
      this.running = true;
      try {
        for (const tenant of this.tenants.all()) {
          if (!tenant.odoo.production) continue;
          const minutes = tenant.syncModes.shipments === 'batch' ? tenant.pipeline.batchIntervalMinutes : 1;
          const [row] = (await this.dataSource.query(
            `SELECT polled_at > now() - make_interval(mins => $3) AS fresh FROM odoo_sync_cursors WHERE tenant_id = $1 AND flow = $2`,
            [tenant.id, FLOW, minutes],
          )) as { fresh: boolean }[];
          if (row?.fresh) continue;
          await this.poll(tenant.id).catch((error: unknown) => this.log(`polling Odoo of tenant ${tenant.id} failed`, error));
        }
      } finally {
        this.running = false;
      }
    };
    this.timer = setInterval(() => void tick(), 30_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async publish(tenantId: string, picking: OdooRecord): Promise<PickingOutcome> {
    const client = this.clients.client(tenantId, 'production');
    const shipment = await outgoingShipment(client, tenantId, picking);
    if (!shipment) return 'not-done';
    const partner = this.partnerFor(tenantId, shipment.partnerRef);
    if (!partner) return 'no-partner';
    const document = { ...shipment.document, partnerId: partner.id };
    return this.sink(tenantId, partner.id, document, `odoo:stock.picking:${shipment.pickingId}`);
  }
}
