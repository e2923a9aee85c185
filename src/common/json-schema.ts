import { Ajv2020, type ErrorObject, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** One failed rule of a JSON Schema, located by JSON pointer (RFC 6901) in the validated value. */
export interface SchemaViolation {
  readonly pointer: string;
  readonly message: string;
}

// ajv-formats is CommonJS with a default export; under NodeNext its default arrives wrapped.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true, ...options });
  addFormats(ajv);
  return ajv;
}

/** Turns ajv's errors into one violation per bad field, with the pointer of the field itself. */
export function toViolations(errors: readonly ErrorObject[] | null | undefined): SchemaViolation[] {
  const seen = new Set<string>();
  const violations: SchemaViolation[] = [];
  for (const error of errors ?? []) {
    let pointer = error.instancePath;
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      pointer = `${pointer}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = 'is required';
    } else if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      pointer = `${pointer}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      message = 'is not a known property';
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (error.keyword === 'pattern' && error.parentSchema && typeof error.parentSchema === 'object') {
      const description = (error.parentSchema as { description?: string }).description;
      if (description) message = `must be ${description}`;
    }
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push({ pointer, message });
  }
  return violations;
}

export function createSchemaValidator(
  schema: object,
  options: Options = {},
): (value: unknown) => SchemaViolation[] {
  const validate = createAjv(options).compile(schema);
  return (value) => (validate(value) ? [] : toViolations(validate.errors));
}
