/** `crossdock odoo-sim`: a real process serving both protocols and the fault API until SIGTERM. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Background, CLI } from '../support/child-process.js';

const cli = new Background('node', [CLI, 'odoo-sim', '--port', '0'], {});
after(() => cli.stop());

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<[number, unknown]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return [response.status, await response.json()];
}

test('serves JSON-RPC and JSON-2 on the demo databases, injects faults, stops on SIGTERM', async () => {
  const [, url] = await cli.waitFor(/Odoo simulator on (http:\/\/\S+) /);
  const [, version] = await post(`${url!}/jsonrpc`, {
    jsonrpc: '2.0',
    method: 'call',
    params: { service: 'common', method: 'version', args: [] },
    id: 1,
  });
  assert.equal((version as { result: { server_version: string } }).result.server_version, '17.0');

  const json2 = { Authorization: 'bearer demo-odoo-key', 'X-Odoo-Database': 'demo' };
  const [status, partners] = await post(
    `${url!}/json/2/res.partner/search_read`,
    { domain: [['ref', '=', 'ABCD']], fields: ['name'] },
    json2,
  );
  assert.equal(status, 200);
  assert.deepEqual(
    (partners as Array<{ name: string }>).map((p) => p.name),
    ['ABCD Freight'],
  );

  const [created] = await post(`${url!}/__sim/faults`, {
    mode: 'validationError',
    model: 'res.partner',
    count: 1,
    message: 'No',
  });
  assert.equal(created, 201);
  const [faulted, error] = await post(`${url!}/json/2/res.partner/search`, { domain: [] }, json2);
  assert.deepEqual([faulted, (error as { name: string }).name], [422, 'odoo.exceptions.ValidationError']);

  assert.equal(await cli.stop('SIGTERM'), 0);
});
