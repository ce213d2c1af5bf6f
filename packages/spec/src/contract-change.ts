/** How much a change matters to consumers: `major` breaks them. */
export type ChangeLevel = 'major' | 'minor' | 'patch';

/** One difference between two versions of a contract. */
export interface ContractChange {
  readonly breaking: boolean;
  readonly message: string;
  readonly column?: string;
  readonly level: ChangeLevel;
}

/** The differences between two versions of a contract, and the bump they call for. */
export interface ContractDiff {
  readonly verdict: ChangeLevel | 'none';
  readonly changes: ContractChange[];
}

const LEVEL_RANK: Readonly<Record<ContractDiff['verdict'], number>> = {
  none: 0,
  patch: 1,
  minor: 2,
  major: 3,
};

/** Builds a change; `major` changes are breaking. */
export function change(level: ChangeLevel, message: string, column?: string): ContractChange {
  return { breaking: level === 'major', message, level, ...(column === undefined ? {} : { column }) };
}

/** The highest level among changes (`none` when there are none). */
export function verdictOf(changes: readonly ContractChange[]): ContractDiff['verdict'] {
  return changes.reduce<ContractDiff['verdict']>(
    (verdict, item) => (LEVEL_RANK[item.level] > LEVEL_RANK[verdict] ? item.level : verdict),
    'none',
  );
}

/** Orders verdicts and bumps: none < patch < minor < major. */
export function levelRank(level: ContractDiff['verdict']): number {
  return LEVEL_RANK[level];
}
