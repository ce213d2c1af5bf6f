export * from './catalog-tables.ts';
export * from './domain-usage.ts';
export * from './gateway.ts';
export type { GatewayStream, PortRead } from './gateway-stream.ts';
