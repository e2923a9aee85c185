import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PathRefused, VirtualPaths } from '../../../src/channels/sftp/sftp-virtual-path.js';

describe('SFTP virtual paths: a partner sees /<username> with inbox/ and outbox/, nothing else', () => {
  const paths = new VirtualPaths('demo-edi');

  test('relative paths start at the home; . and .. inside the home resolve lexically', () => {
    assert.equal(paths.resolve('.'), '/demo-edi');
    assert.equal(paths.resolve('inbox/a.edi'), '/demo-edi/inbox/a.edi');
    assert.equal(paths.resolve('/demo-edi/inbox/../outbox/./x'), '/demo-edi/outbox/x');
    assert.deepEqual(paths.node('/demo-edi/outbox/1.997.edi'), {
      kind: 'file',
      folder: 'outbox',
      name: '1.997.edi',
    });
    assert.deepEqual(paths.node('inbox'), { kind: 'folder', folder: 'inbox' });
    assert.equal(paths.node('inbox/sub/file'), undefined, 'no subfolders');
    assert.equal(paths.node('other'), undefined);
  });

  test('anything leaving the home is refused, compared by whole components', () => {
    for (const escape of [
      '/',
      '..',
      '../../etc/y',
      'inbox/../../etc/passwd',
      '/etc/passwd',
      '/demo-b-edi/inbox',
      '/demo-edix/inbox/y',
      '/demo-edi-x',
      'inbox/a\0.edi',
      'inbox\\..\\..\\x',
    ]) {
      assert.throws(() => paths.resolve(escape), PathRefused, escape);
    }
  });
});
