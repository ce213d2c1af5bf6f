import { readFileSync } from 'node:fs';
import type { Finding } from '@quanta/model';
import type { ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { fileStart, finding } from './finding.ts';
import { stringField } from './json-access.ts';
import { schemaFindings } from './schema-findings.ts';
import type { YamlSource } from './yaml-source.ts';

/** The ODCS versions Quanta validates against (files declare theirs in `apiVersion`). */
export const ODCS_VERSIONS = ['v3.0.0', 'v3.0.1', 'v3.0.2', 'v3.1.0'] as const;
/** The ODPS versions Quanta validates against. */
export const ODPS_VERSIONS = ['v0.9.0', 'v1.0.0'] as const;

/** An open standard a document follows. */
export type Standard = 'odcs' | 'odps';

/** Quanta's own file schemas. */
export type QuantaSchema = 'quanta-mesh' | 'quanta-domain';

const SCHEMA_DIR = new URL('../schemas/', import.meta.url);
const VERSIONS: Readonly<Record<Standard, readonly string[]>> = { odcs: ODCS_VERSIONS, odps: ODPS_VERSIONS };
const TITLES: Readonly<Record<Standard, string>> = {
  odcs: 'ODCS (Open Data Contract Standard)',
  odps: 'ODPS (Open Data Product Standard)',
};

// Compiling a schema costs tens of milliseconds: each is compiled once, on first use.
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaFile: string): ValidateFunction {
  const cached = compiled.get(schemaFile);
  if (cached) return cached;
  // One ajv instance per schema: the ODCS versions share `$id`-less definitions of the same names.
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormatsModule.default(ajv);
  const schema = JSON.parse(readFileSync(new URL(schemaFile, SCHEMA_DIR), 'utf8')) as object;
  const validate = ajv.compile(schema);
  compiled.set(schemaFile, validate);
  return validate;
}

/** Validates a document against one of Quanta's own schemas (quanta.yaml, domain.yaml). */
export function validateQuantaSchema(source: YamlSource, schema: QuantaSchema): Finding[] {
  return runValidator(validatorFor(`${schema}.schema.json`), source);
}

/**
 * Validates an ODCS or ODPS document against the official JSON Schema of the version it
 * declares in `apiVersion`; an unknown version is a finding listing the supported ones.
 */
export function validateStandard(source: YamlSource, standard: Standard): Finding[] {
  const apiVersion = stringField(source.data, 'apiVersion');
  const supported = VERSIONS[standard];
  if (apiVersion === undefined || !supported.includes(apiVersion)) {
    const location = apiVersion === undefined ? fileStart(source.file) : source.locate(['apiVersion']);
    return [
      finding('QUANTA_SCHEMA_VIOLATION', location, {
        message:
          apiVersion === undefined
            ? `no apiVersion: Quanta cannot tell which ${TITLES[standard]} schema applies`
            : `apiVersion '${apiVersion}' is not a supported ${TITLES[standard]} version`,
        fix: `declare one of: ${supported.join(', ')}`,
      }),
    ];
  }
  return runValidator(validatorFor(`${standard}-json-schema-${apiVersion}.json`), source);
}

function runValidator(validate: ValidateFunction, source: YamlSource): Finding[] {
  if (validate(source.data)) return [];
  return schemaFindings(validate.errors ?? [], source);
}
