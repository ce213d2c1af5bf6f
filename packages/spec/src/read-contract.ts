import type { ContractSpec } from '@quanta/model';
import {
  type ColumnSpec,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type SourceLocation,
} from '@quanta/model';
import { durationDays } from './duration-days.ts';
import {
  arrayField,
  booleanField,
  numberField,
  objectField,
  stringField,
  stringsField,
} from './json-access.ts';
import { readQualityRules } from './read-quality-rules.ts';
import { ownerOf } from './team-owner.ts';
import type { Locate } from './yaml-source.ts';

/** Where a contract comes from: its file and, when parsed from text, positions. */
export interface ContractOrigin {
  readonly file: string;
  readonly locate?: Locate;
}

const LOGICAL_FROM_PHYSICAL: readonly (readonly [RegExp, string])[] = [
  [/^(tinyint|smallint|int|integer|bigint|hugeint|int[248]|u?(tiny|small|big|huge)?int)$/, 'integer'],
  [/^(double|float|real|decimal|numeric|float[48])/, 'number'],
  [/^(timestamp|datetime)/, 'timestamp'],
  [/^date$/, 'date'],
  [/^time$/, 'time'],
  [/^bool(ean)?$/, 'boolean'],
];

/**
 * Reads what Quanta enforces from an ODCS document: the first schema object as the table,
 * its properties as columns, its quality clauses, retention in days and the owner. The document
 * is kept whole.
 */
export function readContract(odcs: JsonObject, origin: ContractOrigin): ContractSpec {
  const table = arrayField(odcs, 'schema')[0];
  const properties = arrayField(table, 'properties');
  const locate = origin.locate;
  const columns = properties
    .filter(isJsonObject)
    .map((property, index) =>
      readColumn(property, locate ? locate(['schema', 0, 'properties', index]) : undefined),
    );
  const retentionDays = retentionDaysOf(odcs);
  const owner = ownerOf(odcs);
  return {
    file: origin.file,
    id: stringField(odcs, 'id') ?? '',
    version: stringField(odcs, 'version') ?? '',
    apiVersion: stringField(odcs, 'apiVersion') ?? '',
    table: { name: stringField(table, 'name') ?? '', columns },
    ...(retentionDays === undefined ? {} : { retentionDays }),
    ...(owner === undefined ? {} : { owner }),
    quality: readQualityRules(odcs, origin),
    ...(locate ? { versionLocation: locate(['version']) } : {}),
    odcs,
  };
}

/** Retention in days from the `retention` SLA property (`value` + `unit`), when declared. */
export function retentionDaysOf(odcs: JsonObject): number | undefined {
  const entry = arrayField(odcs, 'slaProperties').find(
    (item) => stringField(item, 'property')?.toLowerCase() === 'retention',
  );
  const value = numberField(entry, 'value');
  const unit = stringField(entry, 'unit');
  if (value === undefined || unit === undefined) return undefined;
  return durationDays(value, unit);
}

function readColumn(property: JsonObject, location: SourceLocation | undefined): ColumnSpec {
  const physicalType = stringField(property, 'physicalType');
  const options = objectField(property, 'logicalTypeOptions');
  const classification = stringField(property, 'classification');
  const description = stringField(property, 'description');
  const enumValues = enumValuesOf(property);
  const sized = sizeOf(physicalType, options);
  return {
    name: stringField(property, 'name') ?? '',
    logicalType: stringField(property, 'logicalType') ?? logicalTypeOf(physicalType),
    ...(physicalType === undefined ? {} : { physicalType }),
    required: booleanField(property, 'required', false),
    unique: booleanField(property, 'unique', false),
    primaryKey: booleanField(property, 'primaryKey', false),
    ...(classification === undefined ? {} : { classification }),
    tags: stringsField(property, 'tags'),
    ...(description === undefined ? {} : { description }),
    ...(enumValues === undefined ? {} : { enumValues }),
    ...sized,
    ...(location ? { location } : {}),
  };
}

function logicalTypeOf(physicalType: string | undefined): string {
  const type = physicalType?.trim().toLowerCase() ?? '';
  return LOGICAL_FROM_PHYSICAL.find(([pattern]) => pattern.test(type))?.[1] ?? 'string';
}

/**
 * Allowed values: a property quality rule naming valid values (ODCS v3.1 writes
 * `metric: invalidValues` with `arguments.validValues`; v3.0 wrote `rule: validValues` with
 * `validValues`), or an `enum` in logicalTypeOptions.
 */
function enumValuesOf(property: JsonObject): string[] | undefined {
  for (const rule of arrayField(property, 'quality')) {
    const values = arrayField(objectField(rule, 'arguments'), 'validValues');
    const listed = values.length > 0 ? values : arrayField(rule, 'validValues');
    if (listed.length > 0) return enumStrings(listed);
  }
  const options = arrayField(objectField(property, 'logicalTypeOptions'), 'enum');
  return options.length > 0 ? enumStrings(options) : undefined;
}

function enumStrings(values: readonly JsonValue[]): string[] {
  return values
    .filter((value) => value !== null)
    .map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
}

function sizeOf(
  physicalType: string | undefined,
  options: JsonObject | undefined,
): { maxLength?: number; precision?: number; scale?: number } {
  const type = physicalType?.trim().toLowerCase() ?? '';
  const text = /^(?:varchar|char|character varying|character|string|nvarchar|nchar)\s*\(\s*(\d+)\s*\)$/.exec(
    type,
  );
  const decimal = /^(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(type);
  const maxLength = numberField(options, 'maxLength') ?? (text?.[1] ? Number(text[1]) : undefined);
  const precision = numberField(options, 'precision') ?? (decimal?.[1] ? Number(decimal[1]) : undefined);
  const scale =
    numberField(options, 'scale') ??
    (decimal ? (decimal[2] === undefined ? 0 : Number(decimal[2])) : undefined);
  return {
    ...(maxLength === undefined ? {} : { maxLength }),
    ...(precision === undefined ? {} : { precision }),
    ...(scale === undefined ? {} : { scale }),
  };
}
