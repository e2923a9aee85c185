import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodedBody,
  parseContentType,
  parseEntity,
  splitMultipart,
} from '../../../../src/channels/as2/as2-mime-parser.js';
import { computeMic, formatMic, normalizeMicAlgorithm } from '../../../../src/channels/as2/as2-mic.js';
import { parseDispositionOptions } from '../../../../src/channels/as2/disposition-options.js';

test('an entity keeps its exact bytes; LF and CRLF headers both split at the blank line', () => {
  const crlf = Buffer.from('Content-Type: application/edi-x12\r\nX-Long: a\r\n b\r\n\r\nISA*00~\r\n');
  const entity = parseEntity(crlf);
  assert.equal(entity.headers.get('content-type'), 'application/edi-x12');
  assert.equal(entity.headers.get('x-long'), 'a b');
  assert.equal(entity.body.toString(), 'ISA*00~\r\n');
  assert.equal(entity.raw, crlf);
  const lf = parseEntity(Buffer.from('Content-Type: text/plain\n\nhello\n'));
  assert.equal(lf.body.toString(), 'hello\n');
});

test('multipart parts are the bytes between delimiters, without the line break that belongs to the delimiter', () => {
  const body = Buffer.from(
    'preamble\n--b\nContent-Type: a/b\n\nfirst\r\n\r\n--b\r\nContent-Type: c/d\r\n\r\nsecond\r\n--b--\r\nepilogue',
  );
  const [first, second] = splitMultipart(body, 'b');
  assert.equal(first!.toString(), 'Content-Type: a/b\n\nfirst\r\n');
  assert.equal(second!.toString(), 'Content-Type: c/d\r\n\r\nsecond');
  assert.throws(() => splitMultipart(Buffer.from('--b\nx\n--b\ny'), 'b'), /closing boundary/);
});

test('content type parameters: quoted or not, any case', () => {
  const type = parseContentType(
    'Multipart/Signed; protocol="application/pkcs7-signature"; MICALG=sha-256; boundary="--=_a;b"',
  );
  assert.equal(type.mediaType, 'multipart/signed');
  assert.equal(type.params.get('micalg'), 'sha-256');
  assert.equal(type.params.get('boundary'), '--=_a;b');
});

test('bodies decode per Content-Transfer-Encoding; none means binary', () => {
  assert.equal(
    decodedBody(parseEntity(Buffer.from('Content-Transfer-Encoding: base64\n\nSVNB\r\nKjAw\n'))).toString(),
    'ISA*00',
  );
  assert.deepEqual(decodedBody(parseEntity(Buffer.from('X: y\n\n\u0000\u0001'))), Buffer.from([0, 1]));
});

test('Disposition-Notification-Options are read loosely; micalg spellings are normalized', () => {
  assert.deepEqual(
    parseDispositionOptions(
      'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256, sha1',
    ),
    { signed: true, micAlgorithm: 'sha256' },
  );
  assert.deepEqual(
    parseDispositionOptions(
      'Signed-Receipt-Protocol = Required,PKCS7-Signature ;signed-receipt-micalg=required,SHA1',
    ),
    { signed: true, micAlgorithm: 'sha1' },
  );
  assert.deepEqual(parseDispositionOptions('signed-receipt-micalg=optional, md5, sha-384'), {
    signed: false,
    micAlgorithm: 'sha384',
  });
  assert.deepEqual(parseDispositionOptions(undefined), { signed: false });
  assert.equal(normalizeMicAlgorithm('SHA-1'), 'sha1');
  assert.equal(normalizeMicAlgorithm('md5'), undefined);
});

test('the MIC is the base64 digest of exactly the given bytes', () => {
  assert.equal(
    formatMic(computeMic(Buffer.from('abc'), 'sha256'), 'sha256'),
    'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=, sha-256',
  );
});
