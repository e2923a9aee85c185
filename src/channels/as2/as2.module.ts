import { Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuditLog } from '../../audit/audit-log.js';
import { AuditModule } from '../../audit/audit.module.js';
import { Pipeline } from '../../messages/pipeline.js';
import { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { As2Controller } from './as2.controller.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { As2MdnDispatcher } from './as2-mdn-dispatcher.js';
import { As2OutboundSender } from './as2-outbound-sender.js';
import { As2Receiver } from './as2-receiver.js';
import { As2ThrottleAudit } from './as2-throttle-audit.js';

/** Runs the async-MDN dispatcher and the outbound sender every few seconds (`AS2_TICK_MS`) while the app is up. */
class As2Timers implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly mdns: As2MdnDispatcher,
    private readonly sender: As2OutboundSender,
  ) {}

  onApplicationBootstrap(): void {
    const every = Number(process.env.AS2_TICK_MS ?? 5000);
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      Promise.allSettled([this.mdns.tick(), this.sender.tick()]).finally(() => {
        this.running = false;
      });
    }, every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

@Module({
  imports: [AuditModule],
  controllers: [As2Controller],
  providers: [
    {
      provide: As2OutboundSender,
      useFactory: (
        dataSource: DataSource,
        pipeline: Pipeline,
        tenants: TenantRegistry,
        audit: AuditLog,
        config: AppConfig,
      ) =>
        new As2OutboundSender(dataSource, pipeline.store, tenants, (event) => audit.enqueue(event), {
          publicUrl: config.publicBaseUrl.replace(/\/$/, ''),
        }),
      inject: [DataSource, Pipeline, TenantRegistry, AuditLog, APP_CONFIG],
    },
    {
      provide: As2Receiver,
      useFactory: (
        dataSource: DataSource,
        pipeline: Pipeline,
        tenants: TenantRegistry,
        audit: AuditLog,
        sender: As2OutboundSender,
        config: AppConfig,
      ) =>
        // A compressed body inflates to at most what an uncompressed one may weigh.
        new As2Receiver(dataSource, pipeline.store, tenants, (event) => audit.enqueue(event), sender, {
          maxPayloadBytes: config.ediBodyLimitBytes,
        }),
      inject: [DataSource, Pipeline, TenantRegistry, AuditLog, As2OutboundSender, APP_CONFIG],
    },
    {
      provide: As2MdnDispatcher,
      useFactory: (dataSource: DataSource, audit: AuditLog) =>
        new As2MdnDispatcher(
          dataSource,
          () => undefined,
          (event) => audit.enqueue(event),
        ),
      inject: [DataSource, AuditLog],
    },
    {
      provide: As2ThrottleAudit,
      useFactory: (adapterHost: HttpAdapterHost, tenants: TenantRegistry, audit: AuditLog) =>
        new As2ThrottleAudit(adapterHost, tenants, (event) => audit.enqueue(event)),
      inject: [HttpAdapterHost, TenantRegistry, AuditLog],
    },
    {
      provide: As2Timers,
      useFactory: (mdns: As2MdnDispatcher, sender: As2OutboundSender) => new As2Timers(mdns, sender),
      inject: [As2MdnDispatcher, As2OutboundSender],
    },
  ],
})
export class As2Module {}
