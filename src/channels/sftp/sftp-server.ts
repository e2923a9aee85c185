import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ssh2, { type AuthContext, type Connection } from 'ssh2';
import { SYSTEM_TENANT, type AuditEvent } from '../../audit/audit-event.js';
import type { MessageStore } from '../../messages/message-store.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { passwordMatches, registeredKey, SftpAccounts, type SftpAccount } from './sftp-accounts.js';
import { loadOrCreateHostKey } from './sftp-host-key.js';
import { SftpMailboxSession } from './sftp-mailbox-session.js';

/** The slice of `LoginThrottle` the listener needs (the same lockouts as the token endpoint). */
export interface SftpLoginThrottle {
  check(subject: string | undefined, ip: string): Promise<void>;
  fail(subject: string | undefined, ip: string): Promise<void>;
  succeed(subject: string | undefined, ip: string): Promise<void>;
}

export interface SftpServerOptions {
  readonly registry: TenantRegistry;
  readonly store: MessageStore;
  readonly audit: (event: AuditEvent) => void;
  readonly throttle: SftpLoginThrottle;
  readonly hostKeyPath: string;
  readonly dataDir: string;
  readonly maxFileBytes: number;
  /** WRITEs in flight per connection before the client is made to wait (default 128). */
  readonly maxWritesInFlight?: number;
  readonly log: {
    info(message: string): void;
    warn(message: string): void;
    error(message: string, error?: unknown): void;
  };
}

/**
 * One SFTP listener for every tenant: a username names one partner, which then sees only its
 * own mailbox. Password (scrypt hash) and public-key logins; failures count against the same
 * lockouts as API logins and go to the partner's audit chain.
 */
export class SftpServer {
  private server: ssh2.Server | undefined;
  private readonly connections = new Set<Connection>();

  constructor(private readonly options: SftpServerOptions) {}

  async start(port: number, host: string): Promise<number> {
    const accounts = await SftpAccounts.fromRegistry(this.options.registry, (m) => this.options.log.warn(m));
    const hostKey = await loadOrCreateHostKey(this.options.hostKeyPath);
    const uploadDir = path.join(this.options.dataDir, 'sftp-uploads');
    await mkdir(uploadDir, { recursive: true });
    const server = new ssh2.Server(
      {
        hostKeys: [hostKey],
        ident: 'Crossdock',
        // Undocumented ssh2 server options: drop connections whose client vanished.
        keepaliveInterval: 30_000,
        keepaliveCountMax: 4,
      } as ssh2.ServerConfig,
      (client, info) => this.accept(client, info.ip, accounts, uploadDir),
    );
    server.on('error', (error: Error) => this.options.log.error('SFTP listener error', error));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.options.log.info(`SFTP listening on port ${bound} (${accounts.size} partner account(s))`);
    return bound;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const connection of this.connections) connection.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Connection, ip: string, accounts: SftpAccounts, uploadDir: string): void {
    this.connections.add(client);
    let account: SftpAccount | undefined;
    client.on('error', () => undefined);
    client.on('close', () => this.connections.delete(client));
    client.on('authentication', (ctx) => {
      void this.authenticate(ctx, ip, accounts).then((found) => {
        if (found) account = found;
      });
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          if (!account) return;
          const mailbox = new SftpMailboxSession({
            account,
            store: this.options.store,
            audit: this.options.audit,
            uploadDir,
            maxFileBytes: this.options.maxFileBytes,
            ...(this.options.maxWritesInFlight ? { maxWritesInFlight: this.options.maxWritesInFlight } : {}),
            remoteIp: ip,
            log: (message, error) => this.options.log.error(message, error),
          });
          const sftp = acceptSftp();
          mailbox.attach(sftp);
          // The client's EOF ends the subsystem: close our side too, or OpenSSH waits forever.
          sftp.on('end', () => sftp.end());
          sftp.on('close', () => void mailbox.end());
        });
        // No shell, no exec, no forwarding: this is a mailbox, not a host.
        session.on('exec', (_accept, reject) => reject());
        session.on('shell', (_accept, reject) => reject());
        session.on('pty', (_accept, reject) => reject?.());
      });
      client.on('tcpip', (_accept, reject) => reject());
    });
  }

  /** Settles the context; resolves the account when the login succeeded. */
  private async authenticate(
    ctx: AuthContext,
    ip: string,
    accounts: SftpAccounts,
  ): Promise<SftpAccount | undefined> {
    const methods: ('password' | 'publickey')[] = ['publickey', 'password'];
    const account = accounts.find(ctx.username);
    const subject = `sftp:${ctx.username}`;
    try {
      if (ctx.method !== 'password' && ctx.method !== 'publickey') {
        ctx.reject(methods);
        return undefined;
      }
      // A client probing which key to use is not a failed login: only signatures and passwords count.
      if (ctx.method === 'publickey' && !ctx.signature) {
        if (account && registeredKey(account, ctx.key)) ctx.accept();
        else ctx.reject(methods);
        return undefined;
      }
      try {
        await this.options.throttle.check(subject, ip);
      } catch {
        this.auditLogin(account, ctx.username, ip, ctx.method, 429, 'locked out after repeated failures');
        ctx.reject(methods);
        return undefined;
      }
      let ok = false;
      if (account && ctx.method === 'password') ok = await passwordMatches(account, ctx.password);
      if (account && ctx.method === 'publickey' && ctx.signature && ctx.blob) {
        const key = registeredKey(account, ctx.key);
        ok = key?.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
      }
      if (!ok) {
        await this.options.throttle.fail(subject, ip);
        this.auditLogin(
          account,
          ctx.username,
          ip,
          ctx.method,
          401,
          account ? 'bad credentials' : 'unknown user',
        );
        ctx.reject(methods);
        return undefined;
      }
      await this.options.throttle.succeed(subject, ip);
      this.auditLogin(account, ctx.username, ip, ctx.method, 200);
      ctx.accept();
      return account;
    } catch (error) {
      this.options.log.error(`SFTP login of ${ctx.username} failed unexpectedly`, error);
      ctx.reject(methods);
      return undefined;
    }
  }

  private auditLogin(
    account: SftpAccount | undefined,
    username: string,
    ip: string,
    method: string,
    status: number,
    reason?: string,
  ): void {
    this.options.audit({
      occurredAt: new Date(),
      tenantId: account?.tenantId ?? SYSTEM_TENANT,
      kind: 'auth',
      action: 'sftp.login',
      partnerId: account?.partnerId ?? null,
      sourceIp: ip,
      status,
      details: { username, method },
      ...(reason ? { reason } : {}),
    });
  }
}
