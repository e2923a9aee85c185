import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditChainInterceptor } from './audit-chain.interceptor.js';
import { AuditEventsController } from './audit-events.controller.js';
import { AuditHttpHooks } from './audit-http-hooks.js';
import { AuditLog } from './audit-log.js';
import { AuditReader } from './audit-reader.js';

/** Global so that any module (auth, messages) can `record()` without importing this one. */
@Global()
@Module({
  controllers: [AuditEventsController],
  providers: [
    AuditLog,
    AuditReader,
    AuditHttpHooks,
    { provide: APP_INTERCEPTOR, useClass: AuditChainInterceptor },
  ],
  exports: [AuditLog],
})
export class AuditModule {}
