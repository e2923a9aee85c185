import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sftpMailboxSettings, sftpPollSettings } from '../../../src/channels/sftp/sftp-channel-settings.js';
import { withoutChannelSecrets } from '../../../src/tenancy/channel-secrets.js';
import { TenantFileError } from '../../../src/tenancy/tenant-file-error.js';
import { loadTenants } from '../../../src/tenancy/tenant-loader.js';

const FINGERPRINT = 'SHA256:' + 'A'.repeat(43);

function tenantFile(channels: string): string {
  return [
    'id: acme',
    'name: ACME',
    'environment: production',
    'partners:',
    '  - id: bigretail',
    '    name: Big Retail',
    '    kind: customer',
    '    channels:',
    channels,
    '',
  ].join('\n');
}

describe('SFTP channel settings in tenant files', () => {
  let dir: string;
  const load = async (channels: string, env: Record<string, string> = {}) => {
    await writeFile(path.join(dir, 'acme.yaml'), tenantFile(channels));
    return loadTenants(dir, { env });
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crossdock-sftp-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('secrets are ${ENV} references, resolved at load; the registry copy has them redacted', async () => {
    const [tenant] = await load(
      [
        '      - type: sftp',
        '        password: ${BIG_SFTP_PASSWORD}',
        '        publicKeys: [ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFHx8ow7uF3O48+vJ3SJRQcsCbn24e3QEmnKSaBLBDCE k]',
        '      - type: sftp-poll',
        '        host: sftp.bigretail.example',
        '        username: acme',
        '        privateKey: ${BIG_POLL_KEY}',
        `        hostKeyFingerprint: ${FINGERPRINT}`,
        '        pattern: "*.edi"',
      ].join('\n'),
      { BIG_SFTP_PASSWORD: 'pw-from-env', BIG_POLL_KEY: 'key-from-env' },
    );
    const partner = tenant!.partners[0]!;
    assert.deepEqual(sftpMailboxSettings(partner), {
      username: 'bigretail',
      password: 'pw-from-env',
      publicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFHx8ow7uF3O48+vJ3SJRQcsCbn24e3QEmnKSaBLBDCE k'],
      pickedUpOn: 'delete',
    });
    const poll = sftpPollSettings(partner);
    assert.equal(poll?.privateKey, 'key-from-env');
    assert.equal(poll?.port, 22);
    assert.equal(poll?.intervalSeconds, 300);
    assert.deepEqual(
      partner.channels.map(
        (c) => withoutChannelSecrets(c)['password'] ?? withoutChannelSecrets(c)['privateKey'],
      ),
      ['[redacted]', '[redacted]'],
    );
  });

  test('a literal password and a poll channel without a pinned host key are refused', async () => {
    await assert.rejects(
      load(
        [
          '      - type: sftp',
          '        password: hunter2',
          '      - type: sftp-poll',
          '        host: sftp.bigretail.example',
          '        username: acme',
        ].join('\n'),
      ),
      (error: unknown) => {
        assert.ok(error instanceof TenantFileError);
        const pointers = error.problems.map((p) => p.path);
        assert.ok(pointers.includes('/partners/0/channels/0/password'), pointers.join(', '));
        assert.ok(pointers.includes('/partners/0/channels/1/hostKeyFingerprint'), pointers.join(', '));
        return true;
      },
    );
  });
});
