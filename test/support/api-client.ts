import assert from 'node:assert/strict';
import { OpenApiResponseValidator } from './openapi-response-validator.js';

/**
 * Tokens per demo client (secret `<client>-secret`) and JSON requests against a test server;
 * every JSON success answer is checked against openapi/v1.yaml on the way.
 */
export class ApiClient {
  private readonly tokens = new Map<string, string>();
  private contract: Promise<OpenApiResponseValidator> | undefined;

  constructor(private readonly baseUrl: () => string) {}

  /** A bearer token for a demo client; with `scope`, one narrowed to those scopes. */
  async token(client: string, scope?: string): Promise<string> {
    const key = scope ? `${client} ${scope}` : client;
    const cached = this.tokens.get(key);
    if (cached) return cached;
    const response = await fetch(`${this.baseUrl()}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client,
        client_secret: `${client}-secret`,
        ...(scope ? { scope } : {}),
      }).toString(),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const token = ((await response.json()) as { access_token: string }).access_token;
    this.tokens.set(key, token);
    return token;
  }

  async get(client: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.checked(
      'GET',
      await fetch(`${this.baseUrl()}${path}`, {
        headers: { authorization: `Bearer ${await this.token(client)}`, ...headers },
      }),
    );
  }

  async post(
    client: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.checked(
      'POST',
      await fetch(`${this.baseUrl()}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await this.token(client)}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      }),
    );
  }

  async delete(client: string, path: string): Promise<Response> {
    return fetch(`${this.baseUrl()}${path}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await this.token(client)}` },
    });
  }

  private async checked(method: string, response: Response): Promise<Response> {
    const contentType = response.headers.get('content-type') ?? '';
    if (response.status >= 200 && response.status < 300 && /json/.test(contentType)) {
      this.contract ??= OpenApiResponseValidator.load();
      const body: unknown = await response.clone().json();
      (await this.contract).check(method, response.url, response.status, contentType, body);
    }
    return response;
  }

  /** Polls `path` until it answers 200 (a REST write becomes readable once translated). */
  async eventually(client: string, path: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await this.get(client, path);
      if (response.status === 200) return (await response.json()) as Record<string, unknown>;
      if (Date.now() > deadline)
        throw new Error(`${path} still ${response.status}: ${await response.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
