import type { PartnerChannel } from './tenant-definition.js';

/** Channel settings that hold secrets once the loader resolved their `${ENV}` references. */
const SECRET_SETTINGS = new Set(['password', 'privateKey', 'passphrase']);

/** The channel as the registry may store it: resolved secrets never reach the database. */
export function withoutChannelSecrets(channel: PartnerChannel): PartnerChannel {
  return Object.fromEntries(
    Object.entries(channel).map(([key, value]) => [key, SECRET_SETTINGS.has(key) ? '[redacted]' : value]),
  ) as PartnerChannel;
}
