export * from './catalog-view.ts';
export * from './lineage-graph.ts';
export * from './mesh-paths.ts';
export * from './mesh-service.ts';
export * from './scaffold.ts';
export * from './snapshot-profile.ts';
