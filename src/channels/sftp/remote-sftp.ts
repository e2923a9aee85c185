import ssh2, { type FileEntry, type SFTPWrapper } from 'ssh2';
import { hostKeyFingerprint } from './sftp-host-key.js';
import type { SftpPollSettings } from './sftp-channel-settings.js';

/** A remote file over the size limit: refused, left where it is. */
export class RemoteFileTooLarge extends Error {
  constructor(
    readonly file: string,
    readonly limit: number,
  ) {
    super(`${file} is larger than ${limit} bytes`);
  }
}

/** A logged-in session on a partner's SFTP server: promise wrappers over ssh2's callbacks. */
export class RemoteSftp {
  /**
   * Rejects when the connection drops. Every operation races it: ssh2 silently drops a request
   * sent on a closed channel and never calls its callback, so a partner that hangs up between
   * two requests (while we commit a download, say) would otherwise leave the poll stuck forever,
   * holding the partner's lock.
   */
  private readonly lost: Promise<never>;

  private constructor(
    private readonly client: ssh2.Client,
    private readonly sftp: SFTPWrapper,
  ) {
    let fail!: (error: Error) => void;
    this.lost = new Promise<never>((_resolve, reject) => (fail = reject));
    this.lost.catch(() => undefined);
    client.once('close', () => fail(new Error('connection to the partner server closed')));
    // A malformed packet from the server (a login shell's banner, a broken server): ssh2 emits
    // it here before failing the pending requests with a vague "No response from server"; with
    // no listener it would throw out of its parser and skip that clean-up.
    sftp.on('error', (error: Error) => {
      fail(new Error(`the partner server broke the SFTP protocol: ${error.message}`));
      client.end();
    });
  }

  static connect(settings: SftpPollSettings, timeoutMs: number): Promise<RemoteSftp> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let seen: string | undefined;
      // Kept for the whole session, not only the login: a reset or EPIPE on the socket later
      // arrives here too, and an 'error' without a listener would crash the process.
      client.on('error', (error) => {
        client.end();
        reject(
          seen && seen !== settings.hostKeyFingerprint
            ? new Error(`host key ${seen} is not the pinned ${settings.hostKeyFingerprint}`)
            : error,
        );
      });
      // ssh2 reports a connection lost during key exchange or login with 'close' alone (no
      // 'error', and its ready timer cleared): without this the promise would never settle.
      client.once('close', () =>
        reject(new Error('connection to the partner server closed before the SFTP session was ready')),
      );
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
    return this.guard<FileEntry[]>((resolve, reject) =>
      this.sftp.readdir(folder, (error, entries) =>
        error ? reject(error) : resolve(entries.filter((e) => (e.attrs.mode & 0o170000) === 0o100000)),
      ),
    );
  }

  /** Reads a whole file through a stream (not fastGet, which corrupts files on some servers). */
  download(file: string, maxBytes: number): Promise<Buffer> {
    return this.guard<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stream = this.sftp.createReadStream(file);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) stream.destroy(new RemoteFileTooLarge(file, maxBytes));
        else chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  }

  /** Writes a whole file through a stream; resolves once the server acknowledged the close. */
  upload(file: string, payload: Buffer): Promise<void> {
    return this.guard<void>((resolve, reject) => {
      const stream = this.sftp.createWriteStream(file, { flags: 'w' });
      stream.on('error', reject);
      stream.on('close', () => resolve());
      stream.end(payload);
    });
  }

  size(file: string): Promise<number> {
    return this.guard<number>((resolve, reject) =>
      this.sftp.stat(file, (error, attrs) => (error ? reject(error) : resolve(attrs.size))),
    );
  }

  /** Replaces `to` when it exists (a retried upload), through OpenSSH's posix-rename when offered. */
  rename(from: string, to: string): Promise<void> {
    return this.guard<void>((resolve, reject) => {
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
    return this.guard<void>((resolve, reject) =>
      this.sftp.unlink(file, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** One request, settled by its callback or by the connection dropping, whichever comes first. */
  private guard<T>(
    request: (resolve: (value: T) => void, reject: (error: unknown) => void) => void,
  ): Promise<T> {
    return Promise.race([new Promise<T>(request), this.lost]);
  }

  end(): void {
    this.client.end();
  }

  /** For tests and fault drills: drops the TCP connection without a goodbye. */
  destroy(): void {
    this.client.destroy();
  }
}
