import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG } from './config/config.tokens.js';
import { ProblemDetailsFilter } from './common/problem/problem-details.filter.js';
import { AuthModule } from './auth/auth.module.js';
import { PolicyGuard } from './auth/policy.guard.js';
import { PartnersModule } from './partners/partners.module.js';
import { AuditModule } from './audit/audit.module.js';
import { DatabaseModule } from './database/database.module.js';
import { Metrics } from './ops/metrics.js';
import { OpsModule } from './ops/ops.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { TenancyModule } from './tenancy/tenancy.module.js';
import type { TenantRegistry } from './tenancy/tenant-registry.js';
import { loggerOptions } from './ops/logger-options.js';
import { MessagesModule } from './messages/messages.module.js';
import type { Pipeline } from './messages/pipeline.js';
import { OdooEventsModule } from './odoo/odoo-events.module.js';
import { As2Module } from './channels/as2/as2.module.js';
import { ApiModule } from './api/api.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import type { OutgoingShipmentSync } from './odoo/outgoing-shipment-sync.js';

export interface AppDependencies {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly tenants: TenantRegistry;
  readonly metrics: Metrics;
  /** The message pipeline (store, jobs, use cases), built and started before Nest. */
  readonly pipeline: Pipeline;
  /** Odoo → partners: shipped pickings to the outbox (webhook and poller). */
  readonly outgoingShipments: OutgoingShipmentSync;
  /** Extra modules (tests mount probe controllers this way). */
  readonly extraModules?: NonNullable<ModuleMetadata['imports']>;
}

/** All global wiring (config, database, logging, error filter) in one place. */
@Module({})
export class AppModule {
  static forRoot(deps: AppDependencies): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerOptions(deps.config)),
        DatabaseModule.forDataSource(deps.dataSource),
        TenancyModule.forRegistry(deps.tenants),
        OpsModule,
        AuthModule,
        PartnersModule,
        AuditModule,
        RateLimitModule,
        MessagesModule.forPipeline(deps.pipeline),
        OdooEventsModule.forSync(deps.outgoingShipments),
        As2Module,
        ApiModule,
        WebhooksModule,
        ...(deps.extraModules ?? []),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: deps.config },
        { provide: Metrics, useValue: deps.metrics },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        // One global guard runs AuthGuard → RateLimitGuard → ScopesGuard (see PolicyGuard).
        { provide: APP_GUARD, useExisting: PolicyGuard },
      ],
      exports: [APP_CONFIG, Metrics],
    };
  }
}
