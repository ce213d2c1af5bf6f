import { type DataEngine, ruleSql } from '@quanta/engine';
import { type Finding, type ProductSpec, type SqlRule, toQuantaError } from '@quanta/model';

/**
 * Parses every `sql` quality rule of a product's contracts with the engine's parser, at
 * validate and plan time rather than at 3 a.m.: it must be one SELECT reading only the
 * contract's own table, with no table function.
 */
export async function checkQualitySql(product: ProductSpec, engine: DataEngine): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const port of product.outputPorts) {
    const contract = port.contract;
    if (!contract) continue;
    for (const rule of contract.quality) {
      if (rule.kind !== 'sql') continue;
      const problem = await sqlProblem(rule, { engine, table: contract.table.name });
      if (problem) {
        findings.push({
          code: 'QUANTA_SQL_INVALID',
          severity: 'error',
          message: `quality rule '${rule.name}': ${problem}`,
          fix: `write one SELECT over ${contract.table.name} (or \${table}) returning one number`,
          ...(rule.location ? { location: rule.location } : {}),
          address: port.address,
        });
      }
    }
  }
  return findings;
}

async function sqlProblem(
  rule: SqlRule,
  options: { engine: DataEngine; table: string },
): Promise<string | undefined> {
  let parsed: Awaited<ReturnType<DataEngine['parseQuery']>>;
  try {
    parsed = await options.engine.parseQuery(ruleSql(rule, options.table));
  } catch (error) {
    return `the query does not parse: ${toQuantaError(error).message}`;
  }
  if (!parsed.isSingleSelect) return 'the query must be a single SELECT';
  const foreign = parsed.tableReferences.find(
    (reference) =>
      reference.catalog !== undefined || reference.schema !== undefined || reference.table !== options.table,
  );
  if (foreign)
    return `the query reads '${foreign.table}'; a quality rule reads only its own table '${options.table}'`;
  const [tableFunction] = parsed.tableFunctions;
  if (tableFunction) return `the query calls the table function ${tableFunction}()`;
  return undefined;
}
