import type { Block } from '../run-workflow.ts';
import { signalOf, stagedTableOf } from './handles.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { stagedProfileOptionsOf } from './quality-request.ts';

/**
 * `quanta.profile`: profiles a staged table per column before publication and returns a
 * compact summary (counts, nulls, distinct, min and max); the full profile is recorded with
 * the snapshot by `quanta.publish`.
 */
export const profileBlock: Block<ProductRunContext> = {
  name: 'quanta.profile',
  description:
    'Profiles a staged table per column (counts, nulls, approximate distinct, min, max). Args: from. ' +
    'Result: {kind: profile, rowCount, columns: [...]}.',
  args: {
    from: { type: 'handle', required: true, description: 'the staged-table handle to profile' },
  },
  async run(args, context, control) {
    const staged = stagedTableOf(args.from, 'from');
    const profile = await context.engine.profile(
      { path: staged.path },
      { ...signalOf(control), ...(await stagedProfileOptionsOf(args.from, context)) },
    );
    return {
      kind: 'profile',
      rowCount: profile.rowCount,
      columns: profile.columns.map((column) => ({
        name: column.name,
        type: column.type,
        nulls: column.nulls,
        distinct: column.distinct,
        min: column.min ?? null,
        max: column.max ?? null,
      })),
      ...(profile.incremental ? { incremental: profile.incremental } : {}),
    };
  },
};
