/**
 * One place that builds Ajv (draft 2020-12 + formats). ajv and ajv-formats are CommonJS; under
 * `module: nodenext` their default export arrives either as the function or wrapped in `.default`
 * depending on the loader, so this adapter accepts both.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;

function formatsPlugin(): FormatsPlugin {
  const mod = ajvFormats as unknown as { default: FormatsPlugin | { default: FormatsPlugin } };
  const d = mod.default;
  return typeof d === 'function' ? d : d.default;
}

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  formatsPlugin()(ajv);
  return ajv;
}
