import { cp, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A tenants folder holding the demo tenant files pointed at a running Odoo simulator, with every
 * flow real time, fast retries and a 5 s Odoo call timeout: what tests and benches start Crossdock processes with.
 */
export async function simulatedTenantsDir(simulatorUrl: string, sourceDir = 'tenants/demo'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crossdock-tenants-'));
  await mkdir(path.join(dir, 'demo'));
  for (const file of ['demo.yaml', 'demo-b.yaml']) {
    const text = (await readFile(path.join(sourceDir, file), 'utf8'))
      .replaceAll('http://127.0.0.1:8069', simulatorUrl)
      .replace(/: batch$/gm, ': realtime')
      // The simulator answers in milliseconds: a short call timeout keeps the create lease (4 × the
      // timeout + 30 s) within what a test waits after killing a process mid-delivery.
      .replace(/^(\s+)login: crossdock-bot$/gm, '$1login: crossdock-bot\n$1timeoutMs: 5000')
      .replace(
        /^retention:/m,
        'pipeline:\n  retry:\n    default: { maxAttempts: 40, initialDelaySeconds: 1, maxDelaySeconds: 2 }\nretention:',
      );
    await writeFile(path.join(dir, 'demo', file), text);
  }
  // Files the tenant files name by relative path (AS2 certificates) come along.
  for (const folder of ['as2', 'sftp']) {
    const from = path.join(sourceDir, folder);
    if (
      await stat(from).then(
        () => true,
        () => false,
      )
    )
      await cp(from, path.join(dir, 'demo', folder), { recursive: true });
  }
  return dir;
}
