import { Injectable } from '@nestjs/common';
import { ValidationProblem } from '../common/problem/problem-details.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';
import { SubmitDocument, type AcceptedDocument, type Violation } from './submit-document.js';

export const MAX_TRACKING_BATCH = 500;

export type BatchItemResult =
  | ({ readonly index: number; readonly status: 'accepted' } & AcceptedDocument)
  | { readonly index: number; readonly status: 'rejected'; readonly errors: readonly Violation[] };

/**
 * Carriers post one event or a batch (`{"events": [...]}`, up to 500). Each event of a batch is
 * validated and stored on its own: one bad event never holds back the others, and the answer
 * says per item what became of it.
 */
@Injectable()
export class SubmitTrackingEvents {
  constructor(private readonly submit: SubmitDocument) {}

  isBatch(body: unknown): body is { events: unknown } {
    return typeof body === 'object' && body !== null && !Array.isArray(body) && 'events' in body;
  }

  async batch(
    scope: TenantScope,
    body: { events: unknown },
    correlationId: string,
  ): Promise<BatchItemResult[]> {
    const extra = Object.keys(body).filter((name) => name !== 'events');
    const events = body.events;
    if (
      !Array.isArray(events) ||
      events.length === 0 ||
      events.length > MAX_TRACKING_BATCH ||
      extra.length > 0
    ) {
      throw new ValidationProblem([
        ...(Array.isArray(events) && events.length > 0 && events.length <= MAX_TRACKING_BATCH
          ? []
          : [
              {
                pointer: '/events',
                message: `must be an array of 1 to ${MAX_TRACKING_BATCH} tracking events`,
              },
            ]),
        ...extra.map((name) => ({ pointer: `/${name}`, message: 'is not allowed in a batch' })),
      ]);
    }
    const results: BatchItemResult[] = [];
    for (const [index, event] of events.entries()) {
      const checked = this.submit.check(
        scope,
        'TrackingEvent',
        event,
        `${correlationId}:${index}`,
        `/events/${index}`,
      );
      if (!checked.ok) {
        results.push({ index, status: 'rejected', errors: checked.errors });
        continue;
      }
      results.push({
        index,
        status: 'accepted',
        ...(await this.submit.store(scope, 'TrackingEvent', checked)),
      });
    }
    return results;
  }
}
