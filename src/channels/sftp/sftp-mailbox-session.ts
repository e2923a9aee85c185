import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import ssh2, { type Attributes, type FileEntry, type SFTPWrapper } from 'ssh2';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { ChannelRefusal } from '../../messages/channel-refusal.js';
import type { MessageStore } from '../../messages/message-store.js';
import { OutboundState } from '../../messages/message-state.js';
import type { SftpAccount } from './sftp-accounts.js';
import { SftpFlowControl } from './sftp-flow-control.js';
import { listOutboxFiles, type OutboxFile } from './sftp-outbox-files.js';
import { PathRefused, VirtualPaths, type VirtualNode } from './sftp-virtual-path.js';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** Stored uploads a session still answers STAT for (the most recent ones). */
const RECEIVED_REMEMBERED = 1000;
/** Entries per READDIR answer: keeps each NAME packet well under the 32 KiB SFTP packet limit. */
const DIRECTORY_PAGE = 100;
/** WRITEs in flight per connection before the client waits: twice OpenSSH's default (`sftp -R 64`). */
const MAX_WRITES_IN_FLIGHT = 128;

export interface SftpSessionContext {
  readonly account: SftpAccount;
  readonly store: MessageStore;
  readonly audit: (event: AuditEvent) => void;
  /** Uploads are written here, under the data directory: memory stays flat whatever the size. */
  readonly uploadDir: string;
  readonly maxFileBytes: number;
  /** WRITEs in flight on one connection before the client is made to wait (default 128). */
  readonly maxWritesInFlight?: number;
  readonly remoteIp: string;
  readonly log: (message: string, error?: unknown) => void;
}

interface Upload {
  readonly kind: 'upload';
  name: string;
  readonly tempPath: string;
  readonly file: FileHandle;
  size: number;
  /** Writes in flight: CLOSE waits for them (a client may pipeline CLOSE behind its last WRITEs). */
  readonly inFlight: Set<Promise<unknown>>;
  /** Why the upload failed, for the answer to its CLOSE; undefined while it goes well. */
  failed: string | undefined;
  /** Set when the failure is a refusal of what the partner sent (not our fault): its bytes are kept. */
  refusal: ChannelRefusal | undefined;
  /** The most WRITE data the session held in flight while this upload was written (in its audit entry). */
  peakBytesInFlight: number;
}

interface Download {
  readonly kind: 'download';
  readonly file: OutboxFile;
  readEnd: number;
}

interface Listing {
  readonly kind: 'listing';
  readonly entries: FileEntry[];
  offset: number;
}

type Handle = Upload | Download | Listing;

/** A closed upload named `*.part`: kept until the client renames it to its final name. */
interface Parked {
  readonly tempPath: string;
  readonly size: number;
  /** Why its last rename was refused: if it never gets a name we take, it is kept as refused. */
  refusedRename?: string;
}

/**
 * One partner's SFTP subsystem on one connection: a virtual home with `inbox/` (uploads become
 * messages) and `outbox/` (queued outbound messages as files). Mailbox state is the database;
 * only uploads still being written (or parked as `.part`) live on this node, for this session.
 */
export class SftpMailboxSession {
  private readonly paths: VirtualPaths;
  private readonly handles = new Map<number, Handle>();
  private readonly parked = new Map<string, Parked>();
  /**
   * Uploads this session stored, for STAT only: clients check a file's size after uploading it
   * (paramiko's `put` does by default) and take "no such file" as a failed upload, then retry.
   */
  private readonly received = new Map<
    string,
    { readonly size: number; readonly at: Date; readonly messageId: string }
  >();
  /** Outbox messages this session read to the end. */
  private readonly downloaded = new Set<string>();
  private nextHandle = 1;

  constructor(private readonly context: SftpSessionContext) {
    this.paths = new VirtualPaths(context.account.username);
  }

  attach(sftp: SFTPWrapper): void {
    const flow = new SftpFlowControl(sftp, this.context.maxWritesInFlight ?? MAX_WRITES_IN_FLIGHT);
    const guard =
      <A extends unknown[]>(op: (reqId: number, ...args: A) => Promise<void>) =>
      (reqId: number, ...args: A): void => {
        op(reqId, ...args).catch((error: unknown) => {
          if (error instanceof PathRefused) {
            sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, 'Permission denied: outside your mailbox');
            return;
          }
          this.context.log(`sftp ${this.context.account.username}: request failed`, error);
          sftp.status(reqId, STATUS_CODE.FAILURE, 'internal error');
        });
      };
    sftp.on(
      'REALPATH',
      guard(async (reqId, requested: string) => {
        const resolved = this.paths.resolve(requested);
        sftp.name(reqId, [{ filename: resolved, longname: resolved, attrs: {} as Attributes }]);
      }),
    );
    const stat = guard(async (reqId, requested: string) => {
      const attrs = await this.attributes(this.paths.node(requested));
      if (attrs) sftp.attrs(reqId, attrs);
      else sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    });
    sftp.on('STAT', stat);
    sftp.on('LSTAT', stat);
    sftp.on(
      'FSTAT',
      guard(async (reqId, handle: Buffer) => {
        const state = this.handle(handle);
        if (!state) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        if (state.kind === 'listing') return sftp.attrs(reqId, directoryAttributes());
        const size = state.kind === 'upload' ? state.size : state.file.payload.length;
        sftp.attrs(reqId, fileAttributes(size, new Date()));
      }),
    );
    sftp.on(
      'OPENDIR',
      guard(async (reqId, requested: string) => {
        const node = this.paths.node(requested);
        if (!node || node.kind === 'file') return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
        sftp.handle(reqId, this.open({ kind: 'listing', entries: await this.entries(node), offset: 0 }));
      }),
    );
    sftp.on(
      'READDIR',
      guard(async (reqId, handle: Buffer) => {
        const state = this.handle(handle);
        if (state?.kind !== 'listing') return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        if (state.offset >= state.entries.length) return sftp.status(reqId, STATUS_CODE.EOF);
        const page = state.entries.slice(state.offset, state.offset + DIRECTORY_PAGE);
        state.offset += page.length;
        sftp.name(reqId, page);
      }),
    );
    sftp.on(
      'OPEN',
      guard(async (reqId, requested: string, flags: number) => {
        const node = this.paths.node(requested);
        if (node?.kind !== 'file') return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, 'not a file');
        if (node.folder === 'inbox') {
          if (!(flags & OPEN_MODE.WRITE) || flags & OPEN_MODE.READ)
            return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, 'inbox/ is write-only');
          const refused = fileNameRefusal(node.name);
          if (refused) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, refused);
          const parked = this.parked.get(node.name);
          if (parked) this.parked.delete(node.name);
          // Without TRUNC a client resumes (`reput`, WinSCP's resume): it writes on past the parked
          // bytes, so they must stay where they are; a fresh file would zero-fill what came before.
          const resume = parked !== undefined && !(flags & OPEN_MODE.TRUNC);
          const tempPath = resume
            ? parked.tempPath
            : path.join(this.context.uploadDir, `${randomUUID()}.upload`);
          const file = await open(tempPath, resume ? 'r+' : 'w', 0o600);
          if (parked && !resume) await rm(parked.tempPath, { force: true });
          return sftp.handle(
            reqId,
            this.open({
              kind: 'upload',
              name: node.name,
              tempPath,
              file,
              size: resume ? parked.size : 0,
              inFlight: new Set(),
              failed: undefined,
              refusal: undefined,
              peakBytesInFlight: 0,
            }),
          );
        }
        if (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC))
          return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, 'outbox/ is read-only');
        const file = (await this.outbox()).find((f) => f.name === node.name);
        if (!file) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
        sftp.handle(reqId, this.open({ kind: 'download', file, readEnd: 0 }));
      }),
    );
    sftp.on(
      'WRITE',
      guard(async (reqId, handle: Buffer, offset: number, data: Buffer) => {
        const state = this.handle(handle);
        if (state?.kind !== 'upload') return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        const end = offset + data.length;
        if (end > this.context.maxFileBytes) {
          state.failed = `file larger than ${this.context.maxFileBytes} bytes: not stored`;
          state.refusal = {
            code: 'file-too-large',
            reason: `SFTP upload refused: file larger than ${this.context.maxFileBytes} bytes (the bytes received within the limit are kept)`,
          };
          return sftp.status(reqId, STATUS_CODE.FAILURE, state.failed);
        }
        // Positional writes: out-of-order WRITEs (`sftp -R 64`) land where their offsets say.
        flow.started(data.length);
        state.peakBytesInFlight = Math.max(state.peakBytesInFlight, flow.bytesInFlight);
        const write = state.file.write(data, 0, data.length, offset);
        state.inFlight.add(write);
        try {
          await write;
        } catch (error) {
          state.failed = 'the server could not write the file: not stored, send it again';
          throw error;
        } finally {
          state.inFlight.delete(write);
          flow.finished(data.length);
        }
        state.size = Math.max(state.size, end);
        sftp.status(reqId, STATUS_CODE.OK);
      }),
    );
    sftp.on(
      'READ',
      guard(async (reqId, handle: Buffer, offset: number, length: number) => {
        const state = this.handle(handle);
        if (state?.kind !== 'download') return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        const payload = state.file.payload;
        if (offset >= payload.length) return sftp.status(reqId, STATUS_CODE.EOF);
        const chunk = payload.subarray(offset, Math.min(payload.length, offset + length));
        state.readEnd = Math.max(state.readEnd, offset + chunk.length);
        sftp.data(reqId, chunk);
      }),
    );
    sftp.on(
      'CLOSE',
      guard(async (reqId, handle: Buffer) => {
        const id = handle.length === 4 ? handle.readUInt32BE(0) : -1;
        const state = this.handles.get(id);
        if (!state) return sftp.status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        this.handles.delete(id);
        if (state.kind === 'listing') return sftp.status(reqId, STATUS_CODE.OK);
        if (state.kind === 'download') {
          const whole = state.readEnd >= state.file.payload.length;
          if (whole) this.downloaded.add(state.file.messageId);
          if (this.context.account.pickedUpOn === 'download' && whole)
            await this.pickedUp(state.file, 'downloaded over SFTP');
          return sftp.status(reqId, STATUS_CODE.OK);
        }
        await Promise.allSettled([...state.inFlight]);
        await state.file.close();
        if (state.failed) {
          let kept: string | undefined;
          if (state.refusal) kept = await this.keepRefused(state.name, state.tempPath, state.refusal);
          else await rm(state.tempPath, { force: true });
          this.auditUpload(
            state.name,
            state.size,
            500,
            `upload failed before close: ${state.failed}${kept ? ` (kept as rejected message ${kept})` : ''}`,
            kept,
          );
          return sftp.status(reqId, STATUS_CODE.FAILURE, state.failed);
        }
        if (isPartName(state.name)) {
          this.parked.set(state.name, { tempPath: state.tempPath, size: state.size });
          return sftp.status(reqId, STATUS_CODE.OK);
        }
        const ok = await this.commit(state.name, state.tempPath, state.size, {
          peakBytesInFlight: state.peakBytesInFlight,
        });
        // Nothing received may vanish: the bytes of a failed store stay on disk for an operator.
        if (!ok) await rename(state.tempPath, `${state.tempPath}.failed`).catch(() => undefined);
        sftp.status(reqId, ok ? STATUS_CODE.OK : STATUS_CODE.FAILURE, ok ? undefined : 'not stored, retry');
      }),
    );
    sftp.on(
      'RENAME',
      guard(async (reqId, from: string, to: string) => {
        const source = this.paths.node(from);
        const target = this.paths.node(to);
        if (
          source?.kind !== 'file' ||
          target?.kind !== 'file' ||
          source.folder !== 'inbox' ||
          target.folder !== 'inbox'
        )
          return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, 'only uploads in inbox/ can be renamed');
        const parked = this.parked.get(source.name);
        const refused = fileNameRefusal(target.name);
        if (!parked) {
          const received = this.received.get(source.name);
          if (!received) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
          if (refused) return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, refused);
          // A client's own temporary name (`x.edi.uploading`) was stored at its CLOSE: refusing
          // the rename would make the client report a failed upload and send it again.
          this.received.delete(source.name);
          this.received.set(target.name, received);
          this.auditRename(source.name, target.name, received.messageId);
          return sftp.status(reqId, STATUS_CODE.OK);
        }
        if (refused) {
          parked.refusedRename = `rename of ${source.name} to "${target.name}" refused (${refused})`;
          return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED, refused);
        }
        this.parked.delete(source.name);
        if (isPartName(target.name)) {
          // Renaming onto another parked upload replaces it (POSIX rename): its bytes go too.
          const replaced = this.parked.get(target.name);
          this.parked.set(target.name, parked);
          if (replaced && replaced.tempPath !== parked.tempPath) await rm(replaced.tempPath, { force: true });
          return sftp.status(reqId, STATUS_CODE.OK);
        }
        // The `.part` → final-name habit: the final name appearing is what makes the message.
        const ok = await this.commit(target.name, parked.tempPath, parked.size);
        if (!ok) this.parked.set(source.name, parked);
        sftp.status(reqId, ok ? STATUS_CODE.OK : STATUS_CODE.FAILURE, ok ? undefined : 'not stored, retry');
      }),
    );
    sftp.on(
      'REMOVE',
      guard(async (reqId, requested: string) => {
        const node = this.paths.node(requested);
        if (node?.kind !== 'file') return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
        if (node.folder === 'inbox') {
          const parked = this.parked.get(node.name);
          // A file already stored was taken in: removing it (WinSCP clears a target before its
          // rename) only forgets the name; the message stays.
          if (!parked && this.received.delete(node.name)) return sftp.status(reqId, STATUS_CODE.OK);
          if (!parked) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
          this.parked.delete(node.name);
          await rm(parked.tempPath, { force: true });
          return sftp.status(reqId, STATUS_CODE.OK);
        }
        const file = (await this.outbox()).find((f) => f.name === node.name);
        if (!file) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
        // The history says what happened: a cleanup deleting files unread is no download.
        await this.pickedUp(
          file,
          this.downloaded.has(file.messageId)
            ? 'picked up over SFTP (downloaded and deleted)'
            : 'deleted over SFTP without being downloaded in this session',
        );
        sftp.status(reqId, STATUS_CODE.OK);
      }),
    );
    // `put -p` sets times and modes: accepted and ignored, the mailbox keeps its own.
    sftp.on(
      'SETSTAT',
      guard(async (reqId) => sftp.status(reqId, STATUS_CODE.OK)),
    );
    sftp.on(
      'FSETSTAT',
      guard(async (reqId) => sftp.status(reqId, STATUS_CODE.OK)),
    );
    for (const refused of ['MKDIR', 'RMDIR', 'SYMLINK', 'READLINK'] as const) {
      sftp.on(refused, (reqId: number) => sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED));
    }
    sftp.on('EXTENDED', (reqId: number) => sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED));
  }

  /**
   * The connection ended: uploads never closed or never renamed are dropped (nothing was
   * acknowledged), except those we refused (too large, a name we would not take): kept as refused.
   */
  async end(): Promise<void> {
    const uploads = [...this.handles.values()].filter((h): h is Upload => h.kind === 'upload');
    this.handles.clear();
    for (const upload of uploads) {
      await Promise.allSettled([...upload.inFlight]);
      await upload.file.close().catch(() => undefined);
      if (upload.refusal) {
        // Audited like a refused upload closed by the client: the rejected message has its entry.
        const kept = await this.keepRefused(upload.name, upload.tempPath, upload.refusal);
        this.auditUpload(
          upload.name,
          upload.size,
          500,
          `upload failed, the session ended before its close: ${upload.failed ?? upload.refusal.reason}` +
            `${kept ? ` (kept as rejected message ${kept})` : ''}`,
          kept,
        );
      } else await rm(upload.tempPath, { force: true });
    }
    for (const [name, parked] of this.parked) {
      if (parked.refusedRename) {
        const reason = `SFTP upload refused: ${parked.refusedRename}; the session ended without a name we take`;
        const kept = await this.keepRefused(name, parked.tempPath, { code: 'name-refused', reason });
        this.auditUpload(name, parked.size, 403, reason, kept);
      } else await rm(parked.tempPath, { force: true });
    }
    this.parked.clear();
  }

  /**
   * Keeps an upload we refused after its bytes arrived as a rejected message (listed with the
   * reason, the bytes as received); its id, or undefined when even that failed (the bytes then
   * stay on disk as `*.failed` for an operator).
   */
  private async keepRefused(
    name: string,
    tempPath: string,
    refusal: ChannelRefusal,
  ): Promise<string | undefined> {
    const { account, store } = this.context;
    try {
      const message = await store.refuse({
        tenantId: account.tenantId,
        partnerId: account.partnerId,
        channel: 'sftp',
        payload: await readFile(tempPath),
        fileName: name,
        environment: account.environment,
        refusal,
      });
      await rm(tempPath, { force: true });
      return message.id;
    } catch (error) {
      this.context.log(
        `sftp ${account.username}: refused ${name} could not be kept (bytes in ${tempPath})`,
        error,
      );
      await rename(tempPath, `${tempPath}.failed`).catch(() => undefined);
      return undefined;
    }
  }

  /** Stores the upload as a message; true once committed (only then is the temp file removed). */
  private async commit(
    name: string,
    tempPath: string,
    size: number,
    details?: Record<string, unknown>,
  ): Promise<boolean> {
    const { account, store } = this.context;
    try {
      const payload = await readFile(tempPath);
      const message = await store.receive({
        tenantId: account.tenantId,
        partnerId: account.partnerId,
        channel: 'sftp',
        payload,
        fileName: name,
        environment: account.environment,
      });
      await rm(tempPath, { force: true });
      this.received.delete(name);
      this.received.set(name, { size, at: new Date(), messageId: message.id });
      if (this.received.size > RECEIVED_REMEMBERED)
        this.received.delete(this.received.keys().next().value as string);
      this.auditUpload(name, size, 200, undefined, message.id, details);
      return true;
    } catch (error) {
      this.context.log(`sftp ${account.username}: ${name} could not be stored (bytes in ${tempPath})`, error);
      this.auditUpload(name, size, 500, 'could not be stored; the client was told to retry');
      return false;
    }
  }

  private async pickedUp(file: OutboxFile, cause: string): Promise<void> {
    const { account, store } = this.context;
    await store.settleOutbound(account.tenantId, file.messageId, OutboundState.Sent, cause, {
      fileName: file.name,
    });
  }

  private auditUpload(
    name: string,
    size: number,
    status: number,
    reason?: string,
    messageId?: string,
    details?: Record<string, unknown>,
  ): void {
    const { account } = this.context;
    this.context.audit({
      occurredAt: new Date(),
      tenantId: account.tenantId,
      kind: 'message',
      action: 'sftp.upload',
      partnerId: account.partnerId,
      sourceIp: this.context.remoteIp,
      path: `${this.paths.home}/inbox/${name}`,
      status,
      bytesIn: size,
      ...(messageId ? { resourceType: 'message', resourceId: messageId } : {}),
      ...(reason ? { reason } : {}),
      ...(details ? { details } : {}),
    });
  }

  private auditRename(from: string, to: string, messageId: string): void {
    const { account } = this.context;
    this.context.audit({
      occurredAt: new Date(),
      tenantId: account.tenantId,
      kind: 'message',
      action: 'sftp.rename',
      partnerId: account.partnerId,
      sourceIp: this.context.remoteIp,
      path: `${this.paths.home}/inbox/${to}`,
      status: 200,
      resourceType: 'message',
      resourceId: messageId,
      reason: `stored as ${from} when it was closed; renamed by the client to ${to} (the message keeps ${from})`,
    });
  }

  private outbox(): Promise<OutboxFile[]> {
    const { account, store } = this.context;
    return listOutboxFiles(store, account.tenantId, account.partnerId, 'sftp');
  }

  private async attributes(node: VirtualNode | undefined): Promise<Attributes | undefined> {
    if (!node) return undefined;
    if (node.kind !== 'file') return directoryAttributes();
    if (node.folder === 'inbox') {
      const parked = this.parked.get(node.name);
      if (parked) return fileAttributes(parked.size, new Date());
      const received = this.received.get(node.name);
      return received ? fileAttributes(received.size, received.at) : undefined;
    }
    const file = (await this.outbox()).find((f) => f.name === node.name);
    return file ? fileAttributes(file.payload.length, file.receivedAt) : undefined;
  }

  private async entries(node: Exclude<VirtualNode, { kind: 'file' }>): Promise<FileEntry[]> {
    const owner = this.context.account.username;
    const dots = ['.', '..'].map((name) => entry(name, directoryAttributes(), owner));
    if (node.kind === 'home')
      return [
        ...dots,
        entry('inbox', directoryAttributes(), owner),
        entry('outbox', directoryAttributes(), owner),
      ];
    if (node.folder === 'inbox')
      return [
        ...dots,
        ...[...this.parked].map(([name, p]) => entry(name, fileAttributes(p.size, new Date()), owner)),
      ];
    const files = await this.outbox();
    return [
      ...dots,
      ...files.map((f) => entry(f.name, fileAttributes(f.payload.length, f.receivedAt), owner)),
    ];
  }

  private open(state: Handle): Buffer {
    const id = this.nextHandle++;
    this.handles.set(id, state);
    const handle = Buffer.alloc(4);
    handle.writeUInt32BE(id, 0);
    return handle;
  }

  private handle(handle: Buffer): Handle | undefined {
    return handle.length === 4 ? this.handles.get(handle.readUInt32BE(0)) : undefined;
  }
}

function isPartName(name: string): boolean {
  return /\.(part|filepart|tmp)$/i.test(name);
}

/**
 * Why a name is refused, or undefined when it is one printable path component and no hidden file
 * (`.part` alone is no name). The answer goes to the partner: it says what to change.
 */
function fileNameRefusal(name: string): string | undefined {
  if (name.length > 255) return `file name not allowed: longer than 255 characters (${name.length})`;
  if (name.startsWith('.')) return 'file name not allowed: it must not start with "."';
  if (!/^[\x20-\x7e]+$/.test(name))
    return 'file name not allowed: use printable ASCII only (letters, digits, punctuation, spaces)';
  return undefined;
}

function directoryAttributes(): Attributes {
  const now = Math.floor(Date.now() / 1000);
  return { mode: S_IFDIR | 0o750, uid: 0, gid: 0, size: 0, atime: now, mtime: now };
}

function fileAttributes(size: number, at: Date): Attributes {
  const time = Math.floor(at.getTime() / 1000);
  return { mode: S_IFREG | 0o640, uid: 0, gid: 0, size, atime: time, mtime: time };
}

function entry(name: string, attrs: Attributes, owner: string): FileEntry {
  const isDir = (attrs.mode & S_IFDIR) !== 0;
  const when = new Date(attrs.mtime * 1000);
  const month = when.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const day = String(when.getUTCDate()).padStart(2, ' ');
  const time = `${String(when.getUTCHours()).padStart(2, '0')}:${String(when.getUTCMinutes()).padStart(2, '0')}`;
  const longname = `${isDir ? 'drwxr-x---' : '-rw-r-----'} 1 ${owner} ${owner} ${String(attrs.size).padStart(8)} ${month} ${day} ${time} ${name}`;
  return { filename: name, longname, attrs };
}
