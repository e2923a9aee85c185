/**
 * The public model methods the simulator answers, with their Python signatures, so both protocols
 * bind arguments the way Odoo does: JSON-RPC positional args then kwargs (`execute_kw`), JSON-2 named
 * only, a TypeError (JSON-RPC) or 422 (JSON-2) for arguments the method does not take.
 */
import type { SimDatabase } from './sim-database.js';
import { indexError, notFound, typeError, unprocessable, type SimOdooException } from './sim-exceptions.js';
import { simModel } from './sim-database.js';

interface MethodSpec {
  readonly params: readonly string[];
  readonly required?: readonly string[];
  /** `@api.model`: no ids (JSON-2 refuses ids for these). */
  readonly apiModel: boolean;
  /** `def m(self, *, …, **kwargs)`: keyword-only and open-ended (message_post). */
  readonly keywordOnlyOpen?: boolean;
  readonly models?: readonly string[];
  readonly run: (
    db: SimDatabase,
    model: string,
    ids: readonly number[],
    a: Record<string, unknown>,
    protocol: SimProtocol,
  ) => unknown;
}

export type SimProtocol = 'jsonrpc' | 'json2';

const METHODS: Readonly<Record<string, MethodSpec>> = {
  search: {
    params: ['domain', 'offset', 'limit', 'order'],
    required: ['domain'],
    apiModel: true,
    run: (db, model, _ids, a) => db.search(model, a['domain'], a),
  },
  search_read: {
    params: ['domain', 'fields', 'offset', 'limit', 'order'],
    apiModel: true,
    run: (db, model, _ids, a) => db.read(model, db.search(model, a['domain'] ?? [], a), a['fields']),
  },
  search_count: {
    params: ['domain', 'limit'],
    required: ['domain'],
    apiModel: true,
    run: (db, model, _ids, a) => db.search(model, a['domain'], { limit: a['limit'] }).length,
  },
  read: {
    params: ['fields', 'load'],
    apiModel: false,
    run: (db, model, ids, a) => db.read(model, ids, a['fields']),
  },
  create: {
    params: ['vals_list'],
    required: ['vals_list'],
    apiModel: true,
    run: (db, model, _ids, a, protocol) => {
      const vals = a['vals_list'];
      const list = Array.isArray(vals) ? vals : [vals];
      const ids = list.map((v: unknown) => db.create(model, v));
      // JSON-RPC answers the shape it was given (a dict → an id); JSON-2 always returns `ids`.
      return protocol === 'jsonrpc' && !Array.isArray(vals) ? ids[0] : ids;
    },
  },
  write: {
    params: ['vals'],
    required: ['vals'],
    apiModel: false,
    run: (db, model, ids, a) => db.write(model, ids, a['vals']),
  },
  unlink: { params: [], apiModel: false, run: (db, model, ids) => db.unlink(model, ids) },
  name_search: {
    params: ['name', 'domain', 'operator', 'limit'],
    apiModel: true,
    run: (db, model, _ids, a) => db.nameSearch(model, a['name'], a['domain'], a['operator'], a['limit']),
  },
  fields_get: {
    params: ['allfields', 'attributes'],
    apiModel: true,
    run: (db, model) => db.fieldsGet(model),
  },
  action_confirm: {
    params: [],
    apiModel: false,
    models: ['sale.order'],
    run: (db, _m, ids) => db.actionConfirm(ids),
  },
  action_cancel: {
    params: [],
    apiModel: false,
    models: ['sale.order'],
    run: (db, _m, ids) => db.actionCancel(ids),
  },
  button_validate: {
    params: [],
    apiModel: false,
    models: ['stock.picking'],
    run: (db, _m, ids) => db.buttonValidate(ids),
  },
  action_post: {
    params: [],
    apiModel: false,
    models: ['account.move'],
    run: (db, _m, ids) => db.actionPost(ids),
  },
  message_post: {
    params: [],
    apiModel: false,
    keywordOnlyOpen: true,
    models: ['res.partner', 'sale.order', 'stock.picking', 'account.move'],
    // 16/17 decorate message_post with @api.returns → an int over JSON-RPC; JSON-2 returns `.ids`.
    run: (db, model, ids, a, protocol) => {
      const id = db.messagePost(model, ids, a);
      return protocol === 'json2' ? [id] : id;
    },
  },
};

export interface SimCall {
  readonly model: string;
  readonly method: string;
  /** JSON-2: the body's `ids`. JSON-RPC: taken from `args[0]` for record methods. */
  readonly ids?: readonly number[];
  /** JSON-RPC `execute_kw` args (JSON-2 has none). */
  readonly args?: readonly unknown[];
  readonly named: Readonly<Record<string, unknown>>;
}

function toIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value as number[];
  throw typeError(`ids must be a list of integers, got ${JSON.stringify(value)}`);
}

/** Binds the call like Python would and runs it; raises SimOdooException for anything Odoo refuses. */
export function runSimMethod(db: SimDatabase, call: SimCall, protocol: SimProtocol): unknown {
  simModel(call.model);
  const spec = Object.hasOwn(METHODS, call.method) ? METHODS[call.method] : undefined;
  if (!spec || (spec.models && !spec.models.includes(call.model))) {
    if (call.method.startsWith('_')) {
      throw notFound(`Private methods (such as '${call.model}.${call.method}') cannot be called remotely.`);
    }
    throw notFound(`The method '${call.model}.${call.method}' does not exist`);
  }
  let ids: readonly number[] = call.ids ?? [];
  let positional: readonly unknown[] = call.args ?? [];
  if (protocol === 'jsonrpc' && !spec.apiModel) {
    // Record methods take the ids as the first positional argument of execute_kw.
    if (positional.length === 0)
      throw typeError(`${call.method}() missing 1 required positional argument: 'self'`);
    ids = toIds(positional[0]);
    positional = positional.slice(1);
  }
  const fail = (message: string): SimOdooException =>
    protocol === 'json2' ? unprocessable(message) : typeError(message);
  if (protocol === 'json2' && spec.apiModel && ids.length > 0) {
    throw unprocessable(`cannot call ${call.model}.${call.method} with ids`);
  }
  if (protocol === 'jsonrpc' && call.method === 'create' && positional.length === 0) {
    // Odoo's _call_kw_model_create reads args[0] to decide between returning an id or ids.
    throw indexError('tuple index out of range');
  }
  const bound: Record<string, unknown> = {};
  if (spec.keywordOnlyOpen) {
    if (positional.length > 0) {
      throw fail(`${call.method}() takes 1 positional argument but ${positional.length + 1} were given`);
    }
  } else if (positional.length > spec.params.length) {
    throw fail(
      `${call.method}() takes ${spec.params.length + 1} positional arguments but ${positional.length + 1} were given`,
    );
  }
  positional.forEach((value, i) => {
    bound[spec.params[i]!] = value;
  });
  for (const [name, value] of Object.entries(call.named)) {
    if (!spec.keywordOnlyOpen && !spec.params.includes(name)) {
      throw fail(`${call.method}() got an unexpected keyword argument '${name}'`);
    }
    if (name in bound) throw fail(`${call.method}() got multiple values for argument '${name}'`);
    bound[name] = value;
  }
  for (const name of spec.required ?? []) {
    if (!(name in bound)) throw fail(`missing a required argument: '${name}'`);
  }
  return spec.run(db, call.model, ids, bound, protocol);
}
