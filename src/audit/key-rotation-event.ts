import { SYSTEM_TENANT, type AuditEvent } from './audit-event.js';

/** A signing-key rotation, for the `_system` chain (keys serve every tenant). */
export function keyRotationEvent(rotated: {
  readonly kid: string;
  readonly previous?: string | null;
  readonly retired?: readonly string[];
}): AuditEvent {
  return {
    occurredAt: new Date(),
    tenantId: SYSTEM_TENANT,
    kind: 'keys',
    action: 'key.rotate',
    resourceType: 'signing-key',
    resourceId: rotated.kid,
    status: 200,
    details: { previous: rotated.previous ?? null, retired: rotated.retired ?? [] },
  };
}
