import { createHash } from 'node:crypto';
import type { QualityRule } from '@quanta/model';
import type { QualityRequest } from './data-engine.ts';

/**
 * What a quality clause measures, as a short hash: its condition (metric, columns, validity,
 * sql query, foreign key target and the path of the pinned reference snapshot, SLA edge), the
 * types of the columns it reads and the contract's table name. Thresholds, names and severities
 * are left out: they judge the measure, they do not change it. An incremental check adds the
 * delta's measure to a base clause only when both keys are equal (ADR 016).
 */
export function clauseKeyOf(
  rule: QualityRule,
  input: { request: Pick<QualityRequest, 'tableName' | 'references'>; types: ReadonlyMap<string, string> },
): string {
  const typesOf = (columns: readonly string[]) => columns.map((column) => input.types.get(column) ?? null);
  const measured = measuredPart(rule, input.request);
  const columns =
    rule.kind === 'metric' ? rule.columns : 'column' in rule && rule.column ? [rule.column] : [];
  const text = JSON.stringify({ measured, types: typesOf(columns) });
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function measuredPart(
  rule: QualityRule,
  request: Pick<QualityRequest, 'tableName' | 'references'>,
): Record<string, unknown> {
  switch (rule.kind) {
    case 'metric':
      return {
        kind: rule.kind,
        metric: rule.metric,
        columns: rule.columns,
        validity: rule.validity ?? null,
        missingValues: rule.missingValues ?? null,
      };
    case 'sql':
      return { kind: rule.kind, query: rule.query, column: rule.column ?? null, table: request.tableName };
    case 'foreignKey':
      return {
        kind: rule.kind,
        column: rule.column,
        target: [rule.target.file, rule.target.table, rule.target.column],
        snapshot: request.references?.[rule.target.file]?.path ?? null,
      };
    case 'sla':
      return {
        kind: rule.kind,
        edge: rule.property === 'retention' ? 'oldest' : 'newest',
        column: rule.column,
      };
    case 'unenforceable':
      return { kind: rule.kind };
  }
}
