import type { ColumnSpec } from './mesh.ts';

/** A contract column for tests: a nullable, non-unique string unless `extra` says otherwise. */
export function columnSpec(name: string, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return {
    name,
    logicalType: 'string',
    required: false,
    unique: false,
    primaryKey: false,
    tags: [],
    ...extra,
  };
}
