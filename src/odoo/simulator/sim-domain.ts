/**
 * Odoo domains in Polish (prefix) notation: leaves `[field, operator, value]`, operators `&` `|` `!`,
 * and an implicit `&` between consecutive terms.
 */
import { valueError } from './sim-exceptions.js';

export interface DomainLeafValue {
  /** The stored value: a scalar, an id (many2one, false when unset) or an id list (x2many). */
  readonly raw: unknown;
  /** The display name, for many2one text comparisons (`ilike` on a many2one matches its name). */
  readonly display?: string;
}

export type FieldResolver = (path: string) => DomainLeafValue;

type Predicate = (resolve: FieldResolver) => boolean;

const OPERATORS = new Set([
  '=',
  '!=',
  '<>',
  'in',
  'not in',
  'like',
  'not like',
  'ilike',
  'not ilike',
  '=like',
  '=ilike',
  '>',
  '>=',
  '<',
  '<=',
]);

export function compileDomain(domain: unknown): Predicate {
  if (domain === undefined || domain === null || domain === false) return () => true;
  if (!Array.isArray(domain)) throw valueError(`Invalid domain: ${JSON.stringify(domain)}`);
  const terms: unknown[] = domain;
  let position = 0;
  const next = (): Predicate => {
    if (position >= terms.length)
      throw valueError(`Invalid domain: missing operand in ${JSON.stringify(domain)}`);
    const term = terms[position++];
    if (term === '&' || term === '|') {
      const left = next();
      const right = next();
      return term === '&' ? (r) => left(r) && right(r) : (r) => left(r) || right(r);
    }
    if (term === '!') {
      const inner = next();
      return (r) => !inner(r);
    }
    return compileLeaf(term);
  };
  const predicates: Predicate[] = [];
  while (position < terms.length) predicates.push(next());
  return (resolve) => predicates.every((p) => p(resolve));
}

function compileLeaf(term: unknown): Predicate {
  if (
    Array.isArray(term) &&
    term.length === 3 &&
    typeof term[0] === 'string' &&
    typeof term[1] === 'string'
  ) {
    const [field, rawOperator, value] = term as [string, string, unknown];
    const operator = rawOperator.toLowerCase();
    if (!OPERATORS.has(operator)) throw valueError(`Invalid leaf ${JSON.stringify(term)}`);
    if (field === '1' || field === '0') return () => field === '1';
    // The LIKE pattern is compiled once per leaf, not once per record.
    const pattern =
      operator.includes('like') && typeof value === 'string' ? likeRegExp(operator, value) : undefined;
    return (resolve) => matches(resolve(field), operator, value, pattern);
  }
  // Odoo accepts the TRUE/FALSE leaves (1, '=', 1) as lists and tuples alike.
  throw valueError(`Invalid leaf ${JSON.stringify(term)}`);
}

function isEmpty(value: unknown): boolean {
  return (
    value === false || value === null || value === undefined || (Array.isArray(value) && value.length === 0)
  );
}

function equals(stored: unknown, value: unknown): boolean {
  if (isEmpty(value)) return isEmpty(stored);
  if (Array.isArray(stored)) return stored.includes(value);
  return stored === value;
}

function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  const source = pattern
    .split('')
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

function likeRegExp(operator: string, value: string): RegExp {
  return likePattern(operator.startsWith('=') ? value : `%${value}%`, operator.includes('ilike'));
}

function matches(field: DomainLeafValue, operator: string, value: unknown, pattern?: RegExp): boolean {
  const stored = field.raw;
  switch (operator) {
    case '=':
      return equals(stored, value);
    case '!=':
    case '<>':
      return !equals(stored, value);
    case 'in':
    case 'not in': {
      const list = Array.isArray(value) ? value : [value];
      const found = list.some((v) => equals(stored, v));
      return operator === 'in' ? found : !found;
    }
    case 'like':
    case 'not like':
    case 'ilike':
    case 'not ilike':
    case '=like':
    case '=ilike': {
      const text = typeof stored === 'string' ? stored : field.display;
      if (value === false) return operator.startsWith('not') ? !isEmpty(stored) : isEmpty(stored);
      const negate = operator.startsWith('not');
      if (text === undefined || isEmpty(stored)) return negate;
      const hit = (pattern ?? likeRegExp(operator, String(value))).test(text);
      return negate ? !hit : hit;
    }
    default: {
      if (isEmpty(stored) || value === null || value === undefined || value === false) return false;
      const a = stored as number | string;
      const b = value as number | string;
      if (operator === '>') return a > b;
      if (operator === '>=') return a >= b;
      if (operator === '<') return a < b;
      return a <= b;
    }
  }
}
