import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit/audit-log.js';
import { AuditModule } from '../audit/audit.module.js';
import { Metrics } from '../ops/metrics.js';
import { EdiIngestController } from './edi-ingest.controller.js';
import { IdempotencyKeys } from './idempotency.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { MessagesController } from './messages.controller.js';
import { Pipeline } from './pipeline.js';

/** Every message lifecycle event also goes to the tenant's audit chain. */
class MessageAuditBridge implements OnModuleInit {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.pipeline.store.onTransition((t) => {
      this.audit.enqueue({
        occurredAt: new Date(),
        tenantId: t.tenantId,
        kind: 'message',
        action: `message.${t.to}`,
        resourceType: t.documentId ? 'document' : 'message',
        resourceId: t.documentId ?? t.messageId,
        reason: t.cause,
        details: {
          messageId: t.messageId,
          from: t.from,
          to: t.to,
          ...(t.attempt ? { attempt: t.attempt } : {}),
        },
      });
    });
  }
}

/** The gauges of messages waiting in `received` read the store at each scrape, for the tenants swept. */
class MessageMetricsBridge implements OnModuleInit {
  constructor(
    private readonly pipeline: Pipeline,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.watchWaitingMessages(() =>
      this.pipeline.recover.waiting(this.pipeline.waitingThresholdSeconds),
    );
  }
}

@Module({})
export class MessagesModule {
  static forPipeline(pipeline: Pipeline): DynamicModule {
    return {
      module: MessagesModule,
      // Channels (REST resources, SFTP, AS2) hand payloads to the same pipeline.
      global: true,
      imports: [AuditModule],
      controllers: [MessagesController, EdiIngestController],
      providers: [
        { provide: Pipeline, useValue: pipeline },
        {
          provide: IdempotencyKeys,
          useFactory: (dataSource: DataSource) => new IdempotencyKeys(dataSource),
          inject: [DataSource],
        },
        IdempotencyInterceptor,
        {
          provide: MessageAuditBridge,
          useFactory: (p: Pipeline, a: AuditLog) => new MessageAuditBridge(p, a),
          inject: [Pipeline, AuditLog],
        },
        {
          provide: MessageMetricsBridge,
          useFactory: (p: Pipeline, m: Metrics) => new MessageMetricsBridge(p, m),
          inject: [Pipeline, Metrics],
        },
      ],
      exports: [Pipeline, IdempotencyKeys, IdempotencyInterceptor],
    };
  }
}
