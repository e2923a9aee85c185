import ssh2, { type FileEntry, type SFTPWrapper } from 'ssh2';
import { hostKeyFingerprint } from './sftp-host-key.js';
import type { SftpPollSettings } from './sftp-channel-settings.js';

/** A logged-in session on a partner's SFTP server: promise wrappers over ssh2's callbacks. */
export class RemoteSftp {
  /** Rejects when the connection drops: a transfer in flight fails instead of hanging. */
  private readonly lost: Promise<never>;

  private constructor(
    private readonly client: ssh2.Client,
    private readonly sftp: SFTPWrapper,
  ) {
    this.lost = new Promise<never>((_resolve, reject) =>
      client.once('close', () => reject(new Error('connection to the partner server closed'))),
    );
    this.lost.catch(() => undefined);
  }

  static connect(settings: SftpPollSettings, timeoutMs: number): Promise<RemoteSftp> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let seen: string | undefined;
      client.on('error', (error) => {
        client.end();
        reject(
          seen && seen !== settings.hostKeyFingerprint
            ? new Error(`host key ${seen} is not the pinned ${settings.hostKeyFingerprint}`)
            : error,
        );
      });
      client.on('ready', () => {
        client.sftp((error, sftp) => {
          if (error) {
            client.end();
            reject(error);
          } else resolve(new RemoteSftp(client, sftp));
        });
      });
      client.connect({
        host: settings.host,
        port: settings.port,
        username: settings.username,
        readyTimeout: timeoutMs,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        // Pinned: a server with another key is not the partner, whatever its name.
        hostVerifier: (key: Buffer) => {
          seen = hostKeyFingerprint(key);
          return seen === settings.hostKeyFingerprint;
        },
        ...(settings.password ? { password: settings.password } : {}),
        ...(settings.privateKey ? { privateKey: settings.privateKey } : {}),
        ...(settings.passphrase ? { passphrase: settings.passphrase } : {}),
      });
    });
  }

  /** Regular files of a folder. */
  list(folder: string): Promise<FileEntry[]> {
    return new Promise((resolve, reject) =>
      this.sftp.readdir(folder, (error, entries) =>
        error ? reject(error) : resolve(entries.filter((e) => (e.attrs.mode & 0o170000) === 0o100000)),
      ),
    );
  }

  /** Reads a whole file through a stream (not fastGet, which corrupts files on some servers). */
  download(file: string, maxBytes: number): Promise<Buffer> {
    const transfer = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stream = this.sftp.createReadStream(file);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) stream.destroy(new Error(`${file} is larger than ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
    return Promise.race([transfer, this.lost]);
  }

  /** Writes a whole file through a stream; resolves once the server acknowledged the close. */
  upload(file: string, payload: Buffer): Promise<void> {
    const transfer = new Promise<void>((resolve, reject) => {
      const stream = this.sftp.createWriteStream(file, { flags: 'w' });
      stream.on('error', reject);
      stream.on('close', () => resolve());
      stream.end(payload);
    });
    return Promise.race([transfer, this.lost]);
  }

  size(file: string): Promise<number> {
    return new Promise((resolve, reject) =>
      this.sftp.stat(file, (error, attrs) => (error ? reject(error) : resolve(attrs.size))),
    );
  }

  /** Replaces `to` when it exists (a retried upload), through OpenSSH's posix-rename when offered. */
  rename(from: string, to: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | null | undefined): void => (error ? reject(error) : resolve());
      try {
        this.sftp.ext_openssh_rename(from, to, done);
      } catch {
        // Not an OpenSSH server: plain SFTP v3 rename (fails when `to` exists).
        this.sftp.rename(from, to, done);
      }
    });
  }

  remove(file: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.sftp.unlink(file, (error) => (error ? reject(error) : resolve())),
    );
  }

  end(): void {
    this.client.end();
  }

  /** For tests and fault drills: drops the TCP connection without a goodbye. */
  destroy(): void {
    this.client.destroy();
  }
}
