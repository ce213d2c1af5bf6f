export * from './blocks/handles.ts';
export * from './blocks/product-run-context.ts';
export * from './blocks/quanta-blocks.ts';
export * from './evaluate-expression.ts';
export * from './parse-workflow.ts';
export * from './run-workflow.ts';
export * from './workflow-definition.ts';
