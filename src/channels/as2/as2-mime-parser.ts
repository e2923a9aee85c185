/**
 * MIME over raw bytes. AS2 signatures and MICs cover the exact bytes a partner sent, so a part is
 * never re-serialized: every entity keeps the slice of the original buffer it came from.
 * Line endings may be CRLF or LF (OpenSSL writes LF), and both may appear in one message.
 */

export interface MimeEntity {
  /** Header names lower-cased, values unfolded; the first occurrence wins. */
  readonly headers: ReadonlyMap<string, string>;
  /** The entity as received: headers, the blank line and the body. */
  readonly raw: Buffer;
  readonly body: Buffer;
}

export interface ContentType {
  /** Lower-cased `type/subtype`. */
  readonly mediaType: string;
  /** Parameter names lower-cased, quotes removed. */
  readonly params: ReadonlyMap<string, string>;
}

export class MimeError extends Error {}

/** Splits an entity into headers and body at the first empty line (CRLF CRLF or LF LF). */
export function parseEntity(raw: Buffer): MimeEntity {
  const end = headerEnd(raw);
  if (end === undefined) throw new MimeError('no blank line between MIME headers and body');
  return { headers: parseHeaders(raw.subarray(0, end.headers)), raw, body: raw.subarray(end.body) };
}

/** An entity made of given headers and a body (the HTTP layer split them already). */
export function entityFromParts(headers: ReadonlyMap<string, string>, body: Buffer): MimeEntity {
  return { headers, raw: body, body };
}

function headerEnd(raw: Buffer): { headers: number; body: number } | undefined {
  // An entity with no headers at all starts with its blank line.
  if (raw[0] === 0x0a) return { headers: 0, body: 1 };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headers: 0, body: 2 };
  for (let i = 0; i < raw.length; i += 1) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return { headers: i + 1, body: i + 2 };
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return { headers: i + 1, body: i + 3 };
  }
  return undefined;
}

export function parseHeaders(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  const lines = block.toString('latin1').split(/\r?\n/);
  let current: string | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    if (colon > 0) {
      const name = current.slice(0, colon).trim().toLowerCase();
      if (!headers.has(name)) headers.set(name, current.slice(colon + 1).trim());
    }
    current = undefined;
  };
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current !== undefined) current += ` ${line.trim()}`;
    else {
      flush();
      if (line.length > 0) current = line;
    }
  }
  flush();
  return headers;
}

/** `type/subtype; name="value"; ...` — loose about spaces, case and quotes. */
export function parseContentType(value: string | undefined): ContentType {
  const params = new Map<string, string>();
  if (!value) return { mediaType: 'application/octet-stream', params };
  const [head, ...rest] = splitOutsideQuotes(value, ';');
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params.set(name, v);
  }
  return { mediaType: head!.trim().toLowerCase(), params };
}

export function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/**
 * The body parts of a multipart body, each the exact bytes between its delimiter line and the line
 * break before the next delimiter (that line break belongs to the delimiter, RFC 2046 §5.1.1).
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const starts: { lineStart: number; after: number; close: boolean }[] = [];
  let from = 0;
  for (;;) {
    const at = body.indexOf(delimiter, from);
    if (at < 0) break;
    from = at + delimiter.length;
    if (at !== 0 && body[at - 1] !== 0x0a) continue;
    const close = body[from] === 0x2d && body[from + 1] === 0x2d;
    // The rest of the delimiter line (transport padding) is ignored.
    let eol = body.indexOf(0x0a, from);
    if (eol < 0) eol = body.length - 1;
    starts.push({ lineStart: at, after: eol + 1, close });
    if (close) break;
  }
  if (starts.length < 2 || !starts[starts.length - 1]!.close) {
    throw new MimeError(`multipart body without its closing boundary "${boundary}"`);
  }
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < starts.length; i += 1) {
    const begin = starts[i]!.after;
    let end = starts[i + 1]!.lineStart;
    if (end > begin && body[end - 1] === 0x0a) end -= 1;
    if (end > begin && body[end - 1] === 0x0d) end -= 1;
    parts.push(body.subarray(begin, end));
  }
  return parts;
}

/** The body decoded per its Content-Transfer-Encoding; a missing one means binary. */
export function decodedBody(entity: MimeEntity): Buffer {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? 'binary').trim().toLowerCase();
  if (encoding === 'base64')
    return Buffer.from(entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const text = entity.body.toString('latin1').replace(/=\r?\n/g, '');
    return Buffer.from(
      text.replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    );
  }
  return entity.body;
}
