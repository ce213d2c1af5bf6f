export * from './catalog-tables.ts';
export * from './gateway.ts';
