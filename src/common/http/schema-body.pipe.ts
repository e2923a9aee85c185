import { Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationProblem } from '../problem/problem-details.js';
import { createSchemaValidator } from '../json-schema.js';
import { unstorableTextViolations } from '../storable-text.js';

/**
 * Validates a request body against a JSON Schema; a bad body becomes one 422 problem listing
 * every bad field by JSON pointer.
 */
@Injectable()
export class SchemaBodyPipe<T> implements PipeTransform<unknown, T> {
  private readonly validate: (value: unknown) => ReturnType<ReturnType<typeof createSchemaValidator>>;

  constructor(schema: object) {
    this.validate = createSchemaValidator(schema);
  }

  transform(value: unknown): T {
    // Text PostgreSQL cannot hold (a NUL, a lone surrogate) is refused by field like any schema error:
    // passed on to a query it was a 500.
    const violations = this.validate(value);
    const named = new Set(violations.map((v) => v.pointer));
    violations.push(...unstorableTextViolations(value).filter((v) => !named.has(v.pointer)));
    if (violations.length > 0) throw new ValidationProblem(violations);
    return value as T;
  }
}
