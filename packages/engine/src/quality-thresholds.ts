import type { QualityThreshold } from '@quanta/model';

/** True when a measured value satisfies the threshold. */
export function meetsThreshold(measured: number, threshold: QualityThreshold): boolean {
  switch (threshold.operator) {
    case 'mustBe':
      return measured === threshold.value;
    case 'mustNotBe':
      return measured !== threshold.value;
    case 'mustBeGreaterThan':
      return measured > threshold.value;
    case 'mustBeGreaterOrEqualTo':
      return measured >= threshold.value;
    case 'mustBeLessThan':
      return measured < threshold.value;
    case 'mustBeLessOrEqualTo':
      return measured <= threshold.value;
    case 'mustBeBetween':
      return measured >= threshold.value[0] && measured <= threshold.value[1];
    case 'mustNotBeBetween':
      return measured < threshold.value[0] || measured > threshold.value[1];
  }
}

/** The threshold in words: `= 0`, `> 10`, `between 1 and 5`. */
export function describeThreshold(threshold: QualityThreshold): string {
  switch (threshold.operator) {
    case 'mustBe':
      return `= ${threshold.value}`;
    case 'mustNotBe':
      return `≠ ${threshold.value}`;
    case 'mustBeGreaterThan':
      return `> ${threshold.value}`;
    case 'mustBeGreaterOrEqualTo':
      return `≥ ${threshold.value}`;
    case 'mustBeLessThan':
      return `< ${threshold.value}`;
    case 'mustBeLessOrEqualTo':
      return `≤ ${threshold.value}`;
    case 'mustBeBetween':
      return `between ${threshold.value[0]} and ${threshold.value[1]}`;
    case 'mustNotBeBetween':
      return `outside ${threshold.value[0]} to ${threshold.value[1]}`;
  }
}
