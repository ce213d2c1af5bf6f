import type { Block } from '../run-workflow.ts';
import { classifyBlock } from './classify-block.ts';
import { httpBlock } from './http-block.ts';
import { ingestBlock } from './ingest-block.ts';
import { notifyBlock } from './notify-block.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { profileBlock } from './profile-block.ts';
import { publishBlock } from './publish-block.ts';
import { qualityBlock } from './quality-block.ts';
import { sqlBlock } from './sql-block.ts';
import { waitForBlock } from './wait-for-block.ts';

/** The `quanta.*` data blocks product workflows call, by name. */
export const QUANTA_BLOCKS: ReadonlyMap<string, Block<ProductRunContext>> = new Map(
  [
    ingestBlock,
    httpBlock,
    sqlBlock,
    waitForBlock,
    qualityBlock,
    classifyBlock,
    profileBlock,
    publishBlock,
    notifyBlock,
  ].map((block) => [block.name, block]),
);
