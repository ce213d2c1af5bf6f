import type { Block } from '../run-workflow.ts';
import { ingestBlock } from './ingest-block.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { publishBlock } from './publish-block.ts';
import { sqlBlock } from './sql-block.ts';

/** The `quanta.*` data blocks product workflows call, by name. */
export const QUANTA_BLOCKS: ReadonlyMap<string, Block<ProductRunContext>> = new Map(
  [ingestBlock, sqlBlock, publishBlock].map((block) => [block.name, block]),
);
