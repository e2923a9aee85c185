/**
 * One place that builds Ajv (draft 2020-12 + formats). ajv and ajv-formats are CommonJS; under
 * `module: nodenext` their default export arrives either as the function or wrapped in `.default`
 * depending on the loader, so this adapter accepts both.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { isDate, isDateTime, isTime } from './date-time-formats.js';

interface FormatsPlugin {
  (ajv: Ajv2020): Ajv2020;
  /** ajv-formats' own definition of a format (full mode): its `validate` and `compare`. */
  get(name: string): unknown;
}

function formatsPlugin(): FormatsPlugin {
  const mod = ajvFormats as unknown as { default: FormatsPlugin | { default: FormatsPlugin } };
  const d = mod.default;
  return typeof d === 'function' ? d : d.default;
}

export interface StringFormat {
  readonly validate: (value: string) => boolean;
  readonly compare: (a: string, b: string) => number | undefined;
}

/** ajv-formats' definition of `name`, the reference the faster checkers are tested against. */
export function referenceFormat(name: 'date' | 'time' | 'date-time'): StringFormat {
  return formatsPlugin().get(name) as StringFormat;
}

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  formatsPlugin()(ajv);
  // Same answers as ajv-formats' (date-time-formats.ts), without a regex match per value;
  // `compare` (formatMinimum and friends) stays ajv-formats'.
  const fast = { date: isDate, time: isTime, 'date-time': isDateTime } as const;
  for (const name of ['date', 'time', 'date-time'] as const)
    ajv.addFormat(name, { ...referenceFormat(name), validate: fast[name] });
  return ajv;
}
