import type { PartnerChannel, PartnerDefinition } from '../../tenancy/tenant-definition.js';

/**
 * A partner's `{type: sftp}` channel: it logs in to Crossdock's SFTP listener. Secrets arrive
 * resolved (the tenant loader resolves `${ENV}` references of channel settings).
 */
export interface SftpMailboxSettings {
  /** Login name; the partner id when absent. */
  readonly username: string;
  /** Resolved cleartext from `password: ${ENV}`; hashed at start-up, then dropped. */
  readonly password?: string;
  /** An scrypt hash (`scrypt$N$r$p$salt$hash`) written in the file instead of a password. */
  readonly passwordHash?: string;
  /** OpenSSH public key lines (`ssh-ed25519 AAAA… comment`); several during a rotation. */
  readonly publicKeys: readonly string[];
  /** When a downloaded outbox file counts as picked up: after it is deleted (default) or once read. */
  readonly pickedUpOn: 'delete' | 'download';
}

/** A partner's `{type: sftp-poll}` channel: Crossdock logs in to the partner's own SFTP server. */
export interface SftpPollSettings {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  /** Private key text (OpenSSH or PEM), resolved from `${ENV}`. */
  readonly privateKey?: string;
  readonly passphrase?: string;
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it: the only host key accepted. */
  readonly hostKeyFingerprint: string;
  /** Remote folder Crossdock downloads from (the partner's outgoing files). */
  readonly inboxPath: string;
  /** Remote folder Crossdock uploads to (our outgoing files). */
  readonly outboxPath: string;
  /** Glob of the remote file names to fetch (`*` and `?`). */
  readonly pattern: string;
  readonly intervalSeconds: number;
  /** Remote folder a fetched file is moved to; absent: the file is deleted. */
  readonly archivePath?: string;
}

function text(channel: PartnerChannel, key: string): string | undefined {
  const value = channel[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function sftpMailboxSettings(partner: PartnerDefinition): SftpMailboxSettings | undefined {
  const channel = partner.channels.find((c) => c.type === 'sftp');
  if (!channel) return undefined;
  const keys = channel['publicKeys'];
  const password = text(channel, 'password');
  const passwordHash = text(channel, 'passwordHash');
  return {
    username: text(channel, 'username') ?? partner.id,
    publicKeys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [],
    pickedUpOn: channel['pickedUpOn'] === 'download' ? 'download' : 'delete',
    ...(password ? { password } : {}),
    ...(passwordHash ? { passwordHash } : {}),
  };
}

export function sftpPollSettings(partner: PartnerDefinition): SftpPollSettings | undefined {
  const channel = partner.channels.find((c) => c.type === 'sftp-poll');
  if (!channel) return undefined;
  const number = (key: string, fallback: number): number =>
    typeof channel[key] === 'number' ? channel[key] : fallback;
  const optional = (key: string): Record<string, string> => {
    const value = text(channel, key);
    return value ? { [key]: value } : {};
  };
  return {
    host: text(channel, 'host') ?? '127.0.0.1',
    port: number('port', 22),
    username: text(channel, 'username') ?? partner.id,
    hostKeyFingerprint: text(channel, 'hostKeyFingerprint') ?? '',
    inboxPath: text(channel, 'inboxPath') ?? 'outbound',
    outboxPath: text(channel, 'outboxPath') ?? 'inbound',
    pattern: text(channel, 'pattern') ?? '*',
    intervalSeconds: number('intervalSeconds', 300),
    ...optional('password'),
    ...optional('privateKey'),
    ...optional('passphrase'),
    ...optional('archivePath'),
  };
}
