import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { PartnerDefinition } from '../tenancy/tenant-definition.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { OdooClientPool } from './odoo-client-pool.js';
import { INITIAL_ODOO_CURSOR, pollOdooChanges, type OdooChangeCursor } from './odoo-change-poller.js';
import { readRecords } from './odoo-records.js';
import { charValue, many2oneId } from './odoo-values.js';
import { shipmentNoticeFromPicking } from './picking-to-shipment-notice.js';

/** Hands a canonical document to the outbox; `dedupeKey` makes a second hand-over of the same event a no-op. */
export type OutboundSink = (
  tenantId: string,
  partnerId: string,
  document: Record<string, unknown>,
  dedupeKey: string,
) => Promise<'published' | 'skipped'>;

export type PickingOutcome = 'published' | 'skipped' | 'not-done' | 'no-partner';

const FLOW = 'shipments';
const DONE_DELIVERIES = [
  ['picking_type_code', '=', 'outgoing'],
  ['state', '=', 'done'],
] as const;

/**
 * Odoo → partners for shipped orders: realtime (Odoo's automated action calls the events endpoint)
 * or polled (done deliveries changed since a stored cursor). Both end in the same idempotent
 * hand-over keyed by the picking, so an event seen twice, or by both paths, is published once.
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

  /** A picking Odoo says changed: published when it is a done delivery for one of the tenant's partners. */
  async pickingChanged(tenantId: string, pickingId: number): Promise<PickingOutcome> {
    const client = this.clients.client(tenantId, 'production');
    const [picking] = await readRecords(
      client,
      'stock.picking',
      [pickingId],
      ['picking_type_code', 'state', 'partner_id'],
    );
    if (!picking || picking['picking_type_code'] !== 'outgoing' || picking['state'] !== 'done')
      return 'not-done';
    const partnerId = many2oneId(picking['partner_id']);
    const [customer] =
      partnerId === undefined ? [] : await readRecords(client, 'res.partner', [partnerId], ['ref']);
    const partner = this.partnerFor(tenantId, charValue(customer?.['ref']));
    if (!partner) return 'no-partner';
    const { delivery } = this.clients.connection(tenantId, 'production');
    const document = await shipmentNoticeFromPicking(client, pickingId, {
      tenantId,
      partnerId: partner.id,
      environment: partner.environment,
      ...(delivery ? { delivery } : {}),
    });
    return this.sink(
      tenantId,
      partner.id,
      document as unknown as Record<string, unknown>,
      `odoo:stock.picking:${pickingId}`,
    );
  }

  /** One polling pass for a tenant; several nodes poll one after the other (advisory lock), never twice. */
  async poll(tenantId: string): Promise<number> {
    const lockKey =
      Number.parseInt(createHash('sha256').update(`odoo-poll:${tenantId}`).digest('hex').slice(0, 8), 16) | 0;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let published = 0;
    try {
      const [lock] = (await runner.query('SELECT pg_try_advisory_lock($1) AS ok', [lockKey])) as {
        ok: boolean;
      }[];
      if (!lock?.ok) return 0;
      try {
        const [row] = (await runner.query(
          `SELECT cursor FROM odoo_sync_cursors WHERE tenant_id = $1 AND flow = $2`,
          [tenantId, FLOW],
        )) as { cursor: OdooChangeCursor }[];
        let cursor = row?.cursor ?? INITIAL_ODOO_CURSOR;
        for (;;) {
          const client = this.clients.client(tenantId, 'production');
          const changes = await pollOdooChanges(
            client,
            { model: 'stock.picking', domain: [...DONE_DELIVERIES], fields: ['partner_id'] },
            cursor,
          );
          for (const picking of changes.records) {
            if ((await this.pickingChanged(tenantId, picking.id)) === 'published') published += 1;
          }
          // Stored only after every change of the page was handed over: a crash re-reads, never skips.
          cursor = changes.cursor;
          await runner.query(
            `INSERT INTO odoo_sync_cursors (tenant_id, flow, cursor) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, flow) DO UPDATE SET cursor = $3, polled_at = now()`,
            [tenantId, FLOW, JSON.stringify(cursor)],
          );
          if (changes.records.length === 0) break;
        }
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [lockKey]);
      }
    } finally {
      await runner.release();
    }
    return published;
  }

  /** Polls each tenant with an Odoo connection: every minute, or on its batch grid for `batch` shipments. */
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
          await this.poll(tenant.id).catch((error: unknown) =>
            this.log(`polling Odoo of tenant ${tenant.id} failed`, error),
          );
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
}
