/**
 * The tree a partner sees: `/<username>` (its home, where it lands) holding `inbox/` and
 * `outbox/`. Nothing else exists; `/` itself is outside the jail, so `cd /` is refused too.
 * Paths are resolved lexically (there are no symlinks to follow) and compared by whole
 * components, so `/demo-edi-x/inbox` never passes for `/demo-edi/inbox`.
 */
export type VirtualNode =
  | { readonly kind: 'home' }
  | { readonly kind: 'folder'; readonly folder: MailboxFolder }
  | { readonly kind: 'file'; readonly folder: MailboxFolder; readonly name: string };

export type MailboxFolder = 'inbox' | 'outbox';

export class PathRefused extends Error {
  constructor(readonly requested: string) {
    super(`path outside the mailbox: ${requested}`);
  }
}

export class VirtualPaths {
  constructor(private readonly username: string) {}

  get home(): string {
    return `/${this.username}`;
  }

  /** The normalized absolute path; throws `PathRefused` for anything that leaves the home. */
  resolve(requested: string): string {
    if (requested.includes('\0') || requested.includes('\\')) throw new PathRefused(requested);
    const start = requested.startsWith('/') ? [] : [this.username];
    const parts = [...start];
    for (const part of requested.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        // Climbing out of the home is the traversal attempt itself: refuse, never clamp.
        if (parts.length <= 1) throw new PathRefused(requested);
        parts.pop();
        continue;
      }
      parts.push(part);
    }
    if (parts[0] !== this.username) throw new PathRefused(requested);
    return `/${parts.join('/')}`;
  }

  /** What the path names, or undefined when it cannot exist (a subfolder, an unknown folder). */
  node(requested: string): VirtualNode | undefined {
    const parts = this.resolve(requested).split('/').slice(2);
    if (parts.length === 0) return { kind: 'home' };
    const folder = parts[0];
    if (folder !== 'inbox' && folder !== 'outbox') return undefined;
    if (parts.length === 1) return { kind: 'folder', folder };
    if (parts.length === 2) return { kind: 'file', folder, name: parts[1]! };
    return undefined;
  }
}
