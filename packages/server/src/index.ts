export * from './create-api.ts';
export * from './openapi.ts';
export * from './serve-api.ts';
