export { type ChunkSource, chunkIterator } from './chunk-iterator.ts';
export * from './data-engine.ts';
export { DuckDbEngine, type DuckDbEngineOptions } from './duckdb-engine.ts';
export { MASK_SIDECAR_ROW_KEY, MASK_SIDECAR_TABLE } from './mask-sidecar.ts';
export { writeParquet } from './parquet-export.ts';
export { ruleSql } from './table-quality-check.ts';
