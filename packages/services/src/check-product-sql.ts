import type { DataEngine } from '@quanta/engine';
import {
  type Finding,
  isJsonObject,
  type ProductSpec,
  type SourceLocation,
  type SqlFile,
} from '@quanta/model';

/**
 * Static check: a product's SQL reads only what the product declares: its input ports (by
 * name) and the results its workflow passes in `inputs`. Unparsable SQL is a finding too.
 */
export async function checkProductSql(product: ProductSpec, engine: DataEngine): Promise<Finding[]> {
  const allowed = new Set([...product.inputPorts.map((port) => port.name), ...workflowInputNames(product)]);
  const findings: Finding[] = [];
  for (const file of product.sqlFiles) {
    findings.push(...(await checkSqlFile(file, allowed, engine)));
  }
  return findings;
}

async function checkSqlFile(
  file: SqlFile,
  allowed: ReadonlySet<string>,
  engine: DataEngine,
): Promise<Finding[]> {
  try {
    const parsed = await engine.parseQuery(file.text);
    if (!parsed.isSingleSelect) {
      return [
        sqlFinding(
          file,
          'a transform must be a single SELECT statement',
          'remove other statements; Quanta writes the result',
        ),
      ];
    }
    return parsed.tableReferences
      .filter(
        (reference) =>
          reference.catalog !== undefined || reference.schema !== undefined || !allowed.has(reference.table),
      )
      .map((reference) => {
        const name = [reference.catalog, reference.schema, reference.table].filter(Boolean).join('.');
        const declared = [...allowed].sort().join(', ') || 'none';
        return sqlFinding(
          file,
          `reads '${name}', which the product does not declare as an input`,
          `declare an input port for it in product.odps.yaml, or read one of: ${declared}`,
          locateName(file.text, reference.table),
        );
      });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [sqlFinding(file, `the SQL does not parse: ${message}`, 'fix the SQL syntax (DuckDB dialect)')];
  }
}

function workflowInputNames(product: ProductSpec): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isJsonObject(value)) {
      if (value.call === 'quanta.sql' && isJsonObject(value.args) && isJsonObject(value.args.inputs)) {
        names.push(...Object.keys(value.args.inputs));
      }
      Object.values(value).forEach(visit);
    }
  };
  visit(product.workflow?.source);
  return names;
}

function locateName(text: string, name: string): { line: number; col: number } {
  const pattern = new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    const match = pattern.exec(line);
    if (match) return { line: index + 1, col: match.index + 1 };
  }
  return { line: 1, col: 1 };
}

function sqlFinding(file: SqlFile, message: string, fix: string, position = { line: 1, col: 1 }): Finding {
  const location: SourceLocation = { file: file.file, ...position };
  return { code: 'QUANTA_REFERENCE_UNRESOLVED', severity: 'error', message, fix, location };
}
