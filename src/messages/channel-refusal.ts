import type { Channel } from './message-state.js';

/**
 * The `rule` of the diagnostic that marks a message its channel refused before accepting it (a
 * negative MDN, an SFTP upload refused after its bytes arrived). Such a message is listed like any
 * rejected one, with the bytes as received, but it was never authenticated or taken in: it is
 * never translated, and only the partner sending it again brings it in.
 */
export const CHANNEL_REFUSED_RULE = 'CHANNEL_REFUSED';

/** Why a channel refused what it received: a stable code (the AS2 disposition modifier, …) and words. */
export interface ChannelRefusal {
  readonly code: string;
  readonly reason: string;
}

/** The diagnostic stored with a refused message (the shape of the EDI engine's diagnostics). */
export function refusalDiagnostic(channel: Channel, refusal: ChannelRefusal): Record<string, string> {
  return {
    severity: 'error',
    level: 'channel',
    channel,
    rule: CHANNEL_REFUSED_RULE,
    code: refusal.code,
    message: refusal.reason,
  };
}
