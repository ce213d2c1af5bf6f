import type { RandomSource } from './random-source.ts';

/** The ways an injected row is malformed. */
export type BadRowKind = 'ragged' | 'wrongType' | 'missingRequired';

/** How many malformed rows of each kind to inject (or were injected). */
export interface BadRowCounts {
  /** Rows with too many or too few fields. */
  readonly ragged: number;
  /** Rows with a value that does not cast to its column's type (`abc` as a quantity). */
  readonly wrongType: number;
  /** Rows with an empty value in a required column. */
  readonly missingRequired: number;
}

/** No malformed rows. */
export const NO_BAD_ROWS: BadRowCounts = { ragged: 0, wrongType: 0, missingRequired: 0 };

/** Where the malformed rows go: ascending row positions, each with its kind. */
export interface BadRowPlan {
  /** 0-based positions among all data rows of the dataset, ascending. */
  readonly positions: readonly number[];
  readonly kinds: readonly BadRowKind[];
}

/** How to break a row of one dataset. */
export interface CorruptionRules {
  /** Values that do not cast to their column's type, by column index; used in turn. */
  readonly wrongTypes: readonly { readonly column: number; readonly value: string }[];
  /** Indexes of required columns, emptied in turn. */
  readonly requiredColumns: readonly number[];
}

/** The total of malformed rows. */
export function countBadRows(counts: BadRowCounts): number {
  return counts.ragged + counts.wrongType + counts.missingRequired;
}

/**
 * Spreads the malformed rows evenly among `goodRows + bad` data rows and shuffles their kinds
 * with `random`: the positions depend only on the counts, the kinds on the seed.
 */
export function planBadRows(
  random: RandomSource,
  options: { counts: BadRowCounts; goodRows: number },
): BadRowPlan {
  const { counts } = options;
  const kinds: BadRowKind[] = [
    ...Array<BadRowKind>(counts.ragged).fill('ragged'),
    ...Array<BadRowKind>(counts.wrongType).fill('wrongType'),
    ...Array<BadRowKind>(counts.missingRequired).fill('missingRequired'),
  ];
  for (let index = kinds.length - 1; index > 0; index--) {
    const other = random.nextInt(index + 1);
    [kinds[index], kinds[other]] = [kinds[other] as BadRowKind, kinds[index] as BadRowKind];
  }
  const total = options.goodRows + kinds.length;
  const positions = kinds.map((_, index) => Math.floor(((index + 0.5) * total) / kinds.length));
  return { positions, kinds };
}

/**
 * The line of a malformed row built from a well-formed row's fields. `ordinal` counts the rows
 * of the same kind, so that the variants (too many or too few fields, which column is wrong or
 * empty) take turns.
 */
export function formatBadLine(
  fields: readonly string[],
  kind: BadRowKind,
  options: { ordinal: number; rules: CorruptionRules },
): string {
  const broken = [...fields];
  const { ordinal, rules } = options;
  switch (kind) {
    case 'ragged':
      if (ordinal % 2 === 0) broken.push('unexpected');
      else broken.splice(-2, 2);
      break;
    case 'wrongType': {
      const wrong = rules.wrongTypes[ordinal % rules.wrongTypes.length];
      if (wrong) broken[wrong.column] = wrong.value;
      break;
    }
    case 'missingRequired': {
      const column = rules.requiredColumns[ordinal % rules.requiredColumns.length];
      if (column !== undefined) broken[column] = '';
      break;
    }
  }
  return broken.join(',');
}
