export * from './catalog-tables.ts';
export * from './domain-usage.ts';
export * from './gateway.ts';
