export * from './data-engine.ts';
export { DuckDbEngine, type DuckDbEngineOptions } from './duckdb-engine.ts';
