import { Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog } from '../../audit/audit-log.js';
import { AuditModule } from '../../audit/audit.module.js';
import { Pipeline } from '../../messages/pipeline.js';
import { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { As2Controller } from './as2.controller.js';
import { As2MdnDispatcher } from './as2-mdn-dispatcher.js';
import { As2Receiver } from './as2-receiver.js';

/** Runs the async-MDN dispatcher every few seconds (`AS2_TICK_MS`) while the app is up. */
class As2Timers implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly mdns: As2MdnDispatcher) {}

  onApplicationBootstrap(): void {
    const every = Number(process.env.AS2_TICK_MS ?? 5000);
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      this.mdns
        .tick()
        .catch(() => undefined)
        .finally(() => {
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
      provide: As2Receiver,
      useFactory: (dataSource: DataSource, pipeline: Pipeline, tenants: TenantRegistry, audit: AuditLog) =>
        new As2Receiver(dataSource, pipeline.store, tenants, (event) => audit.enqueue(event)),
      inject: [DataSource, Pipeline, TenantRegistry, AuditLog],
    },
    {
      provide: As2MdnDispatcher,
      useFactory: (dataSource: DataSource) => new As2MdnDispatcher(dataSource),
      inject: [DataSource],
    },
    {
      provide: As2Timers,
      useFactory: (mdns: As2MdnDispatcher) => new As2Timers(mdns),
      inject: [As2MdnDispatcher],
    },
  ],
})
export class As2Module {}
