import ssh2, { type ParsedKey } from 'ssh2';
import { hashSecret, verifySecret } from '../../common/secret-hash.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { sftpMailboxSettings } from './sftp-channel-settings.js';

/** One partner's SFTP login, as the listener knows it. */
export interface SftpAccount {
  readonly username: string;
  readonly tenantId: string;
  readonly partnerId: string;
  readonly environment: 'test' | 'production';
  readonly pickedUpOn: 'delete' | 'download';
  readonly passwordHash: string | undefined;
  readonly publicKeys: readonly ParsedKey[];
}

/**
 * Usernames → partners, across all tenants (one listener serves every tenant). A username
 * claimed by two partners is served for neither: a login must never guess the tenant.
 */
export class SftpAccounts {
  private constructor(private readonly byUsername: ReadonlyMap<string, SftpAccount>) {}

  static async fromRegistry(
    registry: TenantRegistry,
    warn: (message: string) => void,
  ): Promise<SftpAccounts> {
    const accounts = new Map<string, SftpAccount>();
    const ambiguous = new Set<string>();
    for (const tenant of registry.all()) {
      if (!tenant.active) continue;
      for (const partner of tenant.partners) {
        const settings = sftpMailboxSettings(partner);
        if (!settings || !partner.active) continue;
        const publicKeys: ParsedKey[] = [];
        for (const line of settings.publicKeys) {
          const parsed = ssh2.utils.parseKey(line);
          if (parsed instanceof Error) warn(`${tenant.id}/${partner.id}: unreadable SFTP public key ignored`);
          else publicKeys.push(Array.isArray(parsed) ? parsed[0]! : parsed);
        }
        // The cleartext from the environment is hashed here and not kept.
        const passwordHash =
          settings.passwordHash ?? (settings.password ? await hashSecret(settings.password) : undefined);
        if (accounts.has(settings.username)) ambiguous.add(settings.username);
        accounts.set(settings.username, {
          username: settings.username,
          tenantId: tenant.id,
          partnerId: partner.id,
          environment: partner.environment,
          pickedUpOn: settings.pickedUpOn,
          passwordHash,
          publicKeys,
        });
      }
    }
    for (const username of ambiguous) {
      accounts.delete(username);
      warn(`SFTP username "${username}" is used by several partners: refused for all of them`);
    }
    return new SftpAccounts(accounts);
  }

  find(username: string): SftpAccount | undefined {
    return this.byUsername.get(username);
  }

  get size(): number {
    return this.byUsername.size;
  }
}

export async function passwordMatches(account: SftpAccount, password: string): Promise<boolean> {
  return account.passwordHash !== undefined && verifySecret(password, account.passwordHash);
}

/**
 * The registered key whose public blob (which names its type) equals the one offered. The
 * offered algorithm is not compared: an RSA key is offered as `rsa-sha2-256` but stored as `ssh-rsa`.
 */
export function registeredKey(
  account: SftpAccount,
  offered: { readonly data: Buffer },
): ParsedKey | undefined {
  return account.publicKeys.find((key) => key.getPublicSSH().equals(offered.data));
}
