import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { createAjv } from '../../src/canonical/ajv-factory.js';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly params: number;
  readonly operations: Record<string, Operation>;
}

/**
 * Checks live responses against `openapi/v1.yaml`, so the contract and the code cannot drift:
 * a 2xx JSON answer of a documented route must match the schema documented for its status.
 */
export class OpenApiResponseValidator {
  private readonly ajv = createAjv();
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(private readonly routes: readonly Route[]) {}

  static async load(file = 'openapi/v1.yaml'): Promise<OpenApiResponseValidator> {
    const document = parse(await readFile(file, 'utf8')) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const routes = Object.entries(document.paths)
      .map(([template, operations]) => ({
        template,
        operations,
        params: (template.match(/\{/g) ?? []).length,
        pattern: new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
        ),
      }))
      // A literal segment wins over a parameter (/v1/messages/replay before /v1/messages/{id}).
      .sort((a, b) => a.params - b.params);
    return new OpenApiResponseValidator(routes);
  }

  /** Asserts that `body` is what the contract promises for this method, path and status. */
  check(method: string, url: string, status: number, contentType: string, body: unknown): void {
    if (status < 200 || status >= 300 || status === 204 || !/json/.test(contentType)) return;
    const path = new URL(url).pathname;
    const route = this.routes.find((r) => r.pattern.test(path));
    const operation = route?.operations[method.toLowerCase()];
    assert.ok(route && operation, `${method} ${path} is not in openapi/v1.yaml`);
    const schema = operation.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!schema) {
      // Routes that predate the API module document their answers without a schema.
      if (!route.template.startsWith('/v1/messages') && !route.template.startsWith('/v1/edi')) {
        assert.fail(`${method} ${route.template} ${status} has no response schema in openapi/v1.yaml`);
      }
      return;
    }
    const key = `${method} ${route.template} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    assert.ok(
      validate(body),
      `${key}: the answer does not match openapi/v1.yaml: ${JSON.stringify(validate.errors?.slice(0, 5))}`,
    );
  }
}
