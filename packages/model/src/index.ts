export * from './address.ts';
export * from './catalog.ts';
export * from './clock.ts';
export * from './errors.ts';
export * from './json.ts';
export * from './mesh.ts';
export * from './quality.ts';
export * from './trust.ts';
