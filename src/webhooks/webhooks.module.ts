import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSubscriptions } from './webhook-subscriptions.js';
import { WebhooksController } from './webhooks.controller.js';

/** Partner webhook subscriptions and their signed, retried deliveries. */
@Module({
  imports: [ApiModule],
  controllers: [WebhooksController],
  providers: [WebhookSubscriptions, WebhookDispatcher],
})
export class WebhooksModule {}
