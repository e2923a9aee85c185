/**
 * A protocol-faithful fake Odoo over real HTTP, for tests and for demo mode: `/jsonrpc` (common and
 * object services, errors as HTTP 200 with an `error` member), `/json/2/<model>/<method>` (bearer
 * key, named parameters, 4xx/5xx with `{name, message, …}`), in-memory models, fault injection and
 * counters under `/__sim/`. Behaviour follows docs/ODOO.md; it imports nothing of Nest.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimDatabase } from './sim-database.js';
import {
  accessDenied,
  accessError,
  notFound,
  sessionExpired,
  SimOdooException,
  unauthorized,
  validationError,
  valueError,
} from './sim-exceptions.js';
import { isSimFault, SimFaultTable, type ActiveFault, type SimFault } from './sim-faults.js';
import { runSimMethod, type SimProtocol } from './sim-methods.js';
import { seedDatabase, type SimSeed } from './sim-seed.js';

export interface OdooSimulatorOptions {
  readonly port?: number;
  readonly host?: string;
  /** Database name → accepted API keys. Defaults match the demo tenants in tenants/demo/. */
  readonly apiKeys?: Readonly<Record<string, string | readonly string[]>>;
  /** Databases to serve; defaults to the keys of `apiKeys`. */
  readonly databases?: readonly string[];
  /** The bot user's login (API keys belong to a user; `authenticate` checks both). */
  readonly login?: string;
  readonly seed?: SimSeed;
  /** `server_version` reported by `common.version`. */
  readonly serverVersion?: string;
  /**
   * JSON-RPC `error.code` for server errors: current Odoo sends 0 (ODOO.md), older releases 200.
   * Clients must branch on `error.data.name` either way.
   */
  readonly jsonRpcErrorCode?: 0 | 200;
  /**
   * Whether the bot user may read and create `ir.model.data` (in Odoo only Access Rights managers
   * can; a plain internal user gets an AccessError). Default true; false shows the misconfiguration.
   */
  readonly botManagesExternalIds?: boolean;
  /**
   * Models of apps this Odoo does not have installed (e.g. `sale.order`, `sale.order.line` for an
   * Inventory-only Odoo): calls on them are answered as Odoo answers for a model that does not exist.
   */
  readonly uninstalledModels?: readonly string[];
}

export interface SimCounters {
  requests: number;
  /** `model.method` → calls (both protocols). */
  calls: Record<string, number>;
  byProtocol: Record<SimProtocol, number>;
  authentications: number;
  faultsInjected: number;
  inFlight: number;
  /** TCP connections accepted: with keep-alive, far fewer than requests. */
  connections: number;
  /** Highest number of requests in flight at once since the last reset. */
  maxInFlight: number;
}

export interface SimRequestLogEntry {
  readonly protocol: SimProtocol;
  readonly path: string;
  readonly model?: string;
  readonly method?: string;
  /** The raw request body, to assert what went over the wire (money as written, never re-encoded). */
  readonly body: string;
  readonly status: number;
  /** The headers a client is judged by: authorization, x-odoo-database, content-type, user-agent. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface OdooSimulatorState {
  readonly databases: ReadonlyMap<string, SimDatabase>;
  readonly counters: SimCounters;
  readonly requestLog: readonly SimRequestLogEntry[];
  /** The database, or an Error naming the known ones. */
  db(name: string): SimDatabase;
}

export interface RunningOdooSimulator {
  readonly url: string;
  readonly port: number;
  readonly state: OdooSimulatorState;
  setFault(fault: SimFault): ActiveFault;
  clearFaults(): void;
  faults(): readonly ActiveFault[];
  /** Back to the seed data; counters, the request log and faults cleared. */
  reset(): void;
  stop(): Promise<void>;
}

export const DEMO_SIM_API_KEYS: Readonly<Record<string, readonly string[]>> = {
  demo: ['demo-odoo-key'],
  'demo-sandbox': ['demo-odoo-sandbox-key'],
  'demo-b': ['demo-odoo-key'],
};

const BOT_UID = 2;
const REQUEST_LOG_LIMIT = 2000;

export async function startOdooSimulator(options: OdooSimulatorOptions = {}): Promise<RunningOdooSimulator> {
  const keys = new Map<string, readonly string[]>(
    Object.entries(options.apiKeys ?? DEMO_SIM_API_KEYS).map(([db, k]) => [
      db,
      typeof k === 'string' ? [k] : k,
    ]),
  );
  const names = options.databases ?? [...keys.keys()];
  const login = options.login ?? 'crossdock-bot';
  const seed = options.seed ?? 'demo';
  const serverVersion = options.serverVersion ?? '17.0';
  const errorCode = options.jsonRpcErrorCode ?? 0;
  const externalIdsAllowed = options.botManagesExternalIds ?? true;
  const uninstalled = new Set(options.uninstalledModels ?? []);
  const checkModelAccess = (model: string): void => {
    if (uninstalled.has(model)) throw notFound(`the model '${model}' does not exist`);
    if (model === 'ir.model.data' && !externalIdsAllowed) {
      throw accessError(
        "You are not allowed to access 'External Identifiers' (ir.model.data) records.\n\nThis operation is allowed for the following groups:\n\t- Administration/Access Rights\n\nContact your administrator to request access if necessary.",
      );
    }
  };
  const faults = new SimFaultTable();
  const databases = new Map<string, SimDatabase>();
  const requestLog: SimRequestLogEntry[] = [];
  const counters: SimCounters = freshCounters();

  const rebuild = (): void => {
    databases.clear();
    for (const name of names) {
      const db = new SimDatabase(name, Number.parseInt(serverVersion, 10));
      seedDatabase(db, seed);
      databases.set(name, db);
    }
  };
  rebuild();

  const state: OdooSimulatorState = {
    databases,
    counters,
    requestLog,
    db(name) {
      const db = databases.get(name);
      if (!db) throw new Error(`no simulated database "${name}" (have: ${[...databases.keys()].join(', ')})`);
      return db;
    },
  };

  const keyValid = (db: string, key: unknown): boolean =>
    typeof key === 'string' && (keys.get(db) ?? []).includes(key);

  const dbOrRaise = (name: unknown): SimDatabase => {
    const db = typeof name === 'string' ? databases.get(name) : undefined;
    if (!db) {
      throw new SimOdooException(
        'psycopg2.OperationalError',
        `connection to server failed: FATAL:  database "${String(name)}" does not exist`,
        500,
      );
    }
    return db;
  };

  const log = (entry: SimRequestLogEntry): void => {
    requestLog.push(entry);
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.splice(0, requestLog.length - REQUEST_LOG_LIMIT);
  };

  const countCall = (protocol: SimProtocol, model: string, method: string): void => {
    const key = `${model}.${method}`;
    counters.calls[key] = (counters.calls[key] ?? 0) + 1;
    counters.byProtocol[protocol] += 1;
  };

  /** Applies a matching fault; returns true when the request was answered (or dropped) by it. */
  const injectFault = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    info: { model?: string; method?: string; body: string },
  ): Promise<SimOdooException | 'handled' | 'lostReply' | undefined> => {
    const fault = faults.take(info);
    if (!fault) return undefined;
    counters.faultsInjected += 1;
    switch (fault.mode) {
      case 'down':
        // As close to a dead server as one socket allows: the connection is reset without an answer.
        req.socket.destroy();
        return 'handled';
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 2000));
        return undefined;
      case 'stall':
        await faults.untilCleared();
        return undefined;
      case 'http500':
        res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><title>500 Internal Server Error</title><h1>Internal Server Error</h1>');
        return 'handled';
      case 'accessDenied':
        return accessDenied();
      case 'validationError':
        return validationError(fault.message ?? 'Simulated validation error');
      case 'sessionExpired':
        return sessionExpired();
      case 'lostReply':
        return 'lostReply';
      case 'http429':
        res.writeHead(429, {
          'Content-Type': 'text/html; charset=utf-8',
          'Retry-After': String(fault.retryAfterSeconds ?? 1),
        });
        res.end('<!doctype html><title>429 Too Many Requests</title><h1>Too Many Requests</h1>');
        return 'handled';
    }
  };

  /** Runs the call (it commits), then resets the connection: the caller never hears the answer. */
  const dropReply = (req: http.IncomingMessage, run: () => unknown): void => {
    try {
      run();
    } catch {
      // The caller hears nothing either way.
    }
    req.socket.destroy();
  };

  // ---- /jsonrpc ----------------------------------------------------------------------------------

  const handleJsonRpc = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: string,
  ): Promise<void> => {
    let id: unknown = null;
    let model: string | undefined;
    let method: string | undefined;
    const reply = (payload: Record<string, unknown>): void => {
      const body = JSON.stringify({ jsonrpc: '2.0', id, ...payload });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
      log({
        protocol: 'jsonrpc',
        path: '/jsonrpc',
        body: raw,
        status: 200,
        headers: pickHeaders(req),
        ...(model ? { model } : {}),
        ...(method ? { method } : {}),
      });
    };
    const replyError = (error: SimOdooException): void => {
      const code = error.jsonRpcCode ?? errorCode;
      const message =
        code === 100 ? 'Odoo Session Expired' : code === 404 ? '404: Not Found' : 'Odoo Server Error';
      reply({ error: { code, message, data: serializeException(error) } });
    };
    try {
      const envelope: unknown = JSON.parse(raw);
      if (!isObject(envelope) || !isObject(envelope['params'])) {
        throw new SimOdooException(
          'werkzeug.exceptions.BadRequest',
          'Invalid JSON-RPC data: params must be an object',
          400,
        );
      }
      id = envelope['id'] ?? null;
      const params = envelope['params'];
      const service = params['service'];
      const serviceMethod = params['method'];
      const args = Array.isArray(params['args']) ? (params['args'] as unknown[]) : [];
      if (service === 'object' && (serviceMethod === 'execute_kw' || serviceMethod === 'execute')) {
        model = typeof args[3] === 'string' ? args[3] : undefined;
        method = typeof args[4] === 'string' ? args[4] : undefined;
      }
      const injected = await injectFault(req, res, {
        ...(model ? { model } : {}),
        ...(method ? { method } : {}),
        body: raw,
      });
      if (injected === 'handled') return;
      if (injected === 'lostReply')
        return dropReply(req, () => dispatchJsonRpc(String(service), String(serviceMethod), args));
      if (injected) throw injected;
      reply({ result: dispatchJsonRpc(String(service), String(serviceMethod), args) });
    } catch (error) {
      replyError(asSimException(error));
    }
  };

  const dispatchJsonRpc = (service: string, method: string, args: unknown[]): unknown => {
    if (service === 'common') {
      if (method === 'version') {
        const [major, minor] = serverVersion.split('.').map(Number);
        return {
          server_version: serverVersion,
          server_version_info: [major ?? 17, minor ?? 0, 0, 'final', 0, ''],
          server_serie: serverVersion,
          protocol_version: 1,
        };
      }
      if (method === 'login' || method === 'authenticate') {
        counters.authentications += 1;
        const [dbName, user, password] = args;
        dbOrRaise(dbName);
        // Odoo answers False (not an error) to a bad login or key.
        return user === login && keyValid(String(dbName), password) ? BOT_UID : false;
      }
      throw notFound(`The method common.${method} does not exist`);
    }
    if (service === 'object' && (method === 'execute_kw' || method === 'execute')) {
      const [dbName, uid, password, model, modelMethod, ...rest] = args;
      const db = dbOrRaise(dbName);
      if (uid !== BOT_UID || !keyValid(String(dbName), password)) throw accessDenied();
      if (typeof model !== 'string' || typeof modelMethod !== 'string')
        throw valueError('model and method must be strings');
      const positional =
        method === 'execute_kw' ? (Array.isArray(rest[0]) ? (rest[0] as unknown[]) : []) : rest;
      const kwargs = method === 'execute_kw' && isObject(rest[1]) ? { ...rest[1] } : {};
      // execute_kw passes `context` through kwargs; the method itself never sees it.
      delete kwargs['context'];
      countCall('jsonrpc', model, modelMethod);
      checkModelAccess(model);
      return runSimMethod(db, { model, method: modelMethod, args: positional, named: kwargs }, 'jsonrpc');
    }
    throw notFound(`The service ${service}.${method} does not exist`);
  };

  // ---- /json/2 -----------------------------------------------------------------------------------

  const handleJson2 = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: string,
    model: string,
    method: string,
  ): Promise<void> => {
    const send = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(payload));
      log({
        protocol: 'json2',
        path: req.url ?? '',
        model,
        method,
        body: raw,
        status,
        headers: pickHeaders(req),
      });
    };
    try {
      if (req.method !== 'POST') {
        throw new SimOdooException(
          'werkzeug.exceptions.MethodNotAllowed',
          'The method is not allowed for the requested URL.',
          405,
        );
      }
      const db = authenticateBearer(req);
      const injected = await injectFault(req, res, { model, method, body: raw });
      if (injected === 'handled') return;
      if (injected === 'lostReply') {
        countCall('json2', model, method);
        checkModelAccess(model);
        const { ids, context: _context, ...named } = JSON.parse(raw) as Record<string, unknown>;
        return dropReply(req, () =>
          runSimMethod(db, { model, method, ids: (ids as number[] | undefined) ?? [], named }, 'json2'),
        );
      }
      if (injected) throw injected;
      let body: unknown = {};
      if (raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch (error) {
          throw new SimOdooException(
            'werkzeug.exceptions.BadRequest',
            `could not parse the body as json: ${String(error)}`,
            400,
          );
        }
      }
      if (!isObject(body)) {
        throw new SimOdooException(
          'werkzeug.exceptions.BadRequest',
          'could not parse the body, expecting a json object',
          400,
        );
      }
      const { ids, context: _context, ...named } = body;
      if (ids !== undefined && !(Array.isArray(ids) && ids.every((v) => typeof v === 'number'))) {
        throw new SimOdooException(
          'werkzeug.exceptions.UnprocessableEntity',
          'ids must be a list of integers',
          422,
        );
      }
      countCall('json2', model, method);
      checkModelAccess(model);
      const result = runSimMethod(
        db,
        { model, method, ids: (ids as number[] | undefined) ?? [], named },
        'json2',
      );
      send(200, result);
    } catch (error) {
      const exception = asSimException(error);
      send(exception.httpStatus, serializeException(exception));
    }
  };

  const authenticateBearer = (req: http.IncomingMessage): SimDatabase => {
    const header = req.headers.authorization ?? '';
    const match = /^bearer\s+(.+)$/i.exec(header);
    const requested = req.headers['x-odoo-database'];
    const dbName =
      typeof requested === 'string' ? requested : databases.size === 1 ? [...databases.keys()][0] : undefined;
    if (!match || dbName === undefined || !databases.has(dbName) || !keyValid(dbName, match[1]!.trim())) {
      throw unauthorized('Invalid apikey');
    }
    counters.authentications += 1;
    return databases.get(dbName)!;
  };

  // ---- /__sim admin ------------------------------------------------------------------------------

  const handleAdmin = (req: http.IncomingMessage, res: http.ServerResponse, raw: string, url: URL): void => {
    const send = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(payload, null, 2));
    };
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /__sim/state') {
      send(200, {
        databases: Object.fromEntries([...databases].map(([name, db]) => [name, db.counts()])),
        counters,
        faults: faults.list(),
      });
    } else if (route === 'GET /__sim/records') {
      const db = databases.get(url.searchParams.get('db') ?? '');
      const model = url.searchParams.get('model') ?? '';
      if (!db) return send(404, { error: 'unknown db' });
      try {
        send(200, db.records(model));
      } catch {
        send(404, { error: `unknown model ${model}` });
      }
    } else if (route === 'POST /__sim/faults') {
      let fault: unknown;
      try {
        fault = JSON.parse(raw);
      } catch {
        fault = undefined;
      }
      if (!isSimFault(fault)) {
        return send(400, {
          error:
            'expected {mode: down|slow|stall|http500|http429|lostReply|accessDenied|validationError|sessionExpired, count?, model?, method?, matching?, delayMs?, message?}',
        });
      }
      send(201, faults.add(fault));
    } else if (route === 'DELETE /__sim/faults') {
      faults.clear();
      send(200, { cleared: true });
    } else if (route === 'POST /__sim/reset') {
      reset();
      send(200, { reset: true });
    } else {
      send(404, {
        error: 'unknown admin route',
        routes: [
          'GET /__sim/state',
          'GET /__sim/records?db=&model=',
          'POST /__sim/faults',
          'DELETE /__sim/faults',
          'POST /__sim/reset',
        ],
      });
    }
  };

  const reset = (): void => {
    faults.clear();
    requestLog.length = 0;
    // Requests still in flight finish after the reset and decrement inFlight: keep their count.
    Object.assign(counters, freshCounters(), { inFlight: counters.inFlight });
    rebuild();
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://simulator');
      if (url.pathname.startsWith('/__sim/')) return handleAdmin(req, res, raw, url);
      if (url.pathname === '/web/health') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"status": "pass"}');
      }
      counters.requests += 1;
      counters.inFlight += 1;
      counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
      const done = (): void => {
        counters.inFlight -= 1;
      };
      res.once('close', done);
      const json2 = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      const work =
        url.pathname === '/jsonrpc'
          ? handleJsonRpc(req, res, raw)
          : json2
            ? handleJson2(req, res, raw, decodeURIComponent(json2[1]!), decodeURIComponent(json2[2]!))
            : Promise.resolve(notFoundPage(res));
      work.catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(error));
        }
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => {
    counters.connections += 1;
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8069, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    state,
    setFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    reset,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        faults.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function freshCounters(): SimCounters {
  return {
    requests: 0,
    calls: {},
    byProtocol: { jsonrpc: 0, json2: 0 },
    authentications: 0,
    faultsInjected: 0,
    inFlight: 0,
    connections: 0,
    maxInFlight: 0,
  };
}

function pickHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['authorization', 'x-odoo-database', 'content-type', 'user-agent']) {
    const value = req.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function notFoundPage(res: http.ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><title>404 Not Found</title><h1>Not Found</h1>');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asSimException(error: unknown): SimOdooException {
  if (error instanceof SimOdooException) return error;
  if (error instanceof SyntaxError) {
    return new SimOdooException(
      'werkzeug.exceptions.BadRequest',
      `could not parse the body as json: ${error.message}`,
      400,
    );
  }
  return new SimOdooException(
    'builtins.Exception',
    error instanceof Error ? error.message : String(error),
    500,
  );
}

/** Odoo's `serialize_exception`: the same shape in `error.data` (JSON-RPC) and the JSON-2 body. */
function serializeException(error: SimOdooException): Record<string, unknown> {
  return {
    name: error.odooName,
    message: error.message,
    arguments: [error.message],
    context: {},
    debug: `Traceback (most recent call last):\n  (simulated)\n${error.odooName}: ${error.message}\n`,
  };
}
