import type { DataEngine, TableReference } from '@quanta/engine';
import { type Finding, isJsonObject, type ProductSpec, type SqlFile, toQuantaError } from '@quanta/model';

/**
 * Static check: a product's SQL reads only what the product declares: its input ports (by
 * name) and the results its workflow passes in `inputs`. Unparsable SQL, table functions
 * (which would read files behind the platform's back) and anything but one SELECT are findings too.
 */
export async function checkProductSql(product: ProductSpec, engine: DataEngine): Promise<Finding[]> {
  const allowed = new Set([...product.inputPorts.map((port) => port.name), ...workflowInputNames(product)]);
  const findings: Finding[] = [];
  for (const file of product.sqlFiles) {
    findings.push(...(await checkSqlFile(file, { allowed, engine })));
  }
  return findings;
}

async function checkSqlFile(
  file: SqlFile,
  options: { allowed: ReadonlySet<string>; engine: DataEngine },
): Promise<Finding[]> {
  const { allowed } = options;
  let parsed: Awaited<ReturnType<DataEngine['parseQuery']>>;
  try {
    parsed = await options.engine.parseQuery(file.text);
  } catch (error) {
    return [
      sqlFinding(file, {
        message: `the SQL does not parse: ${toQuantaError(error).message}`,
        fix: 'fix the SQL syntax (DuckDB dialect)',
      }),
    ];
  }
  if (!parsed.isSingleSelect) {
    return [
      sqlFinding(file, {
        message: 'a transform must be a single SELECT statement',
        fix: 'remove other statements; Quanta writes the result',
      }),
    ];
  }
  const declared = [...allowed].sort().join(', ') || 'none';
  const undeclared = parsed.tableReferences.filter((reference) => !isDeclared(reference, allowed));
  return [
    ...undeclared.map((reference) =>
      sqlFinding(file, {
        message: `reads '${qualifiedName(reference)}', which the product does not declare as an input`,
        fix: `declare an input port for it in product.odps.yaml, or read one of: ${declared}`,
        at: qualifiedName(reference),
      }),
    ),
    ...parsed.tableFunctions.map((name) =>
      sqlFinding(file, {
        message: `calls the table function ${name}(), which reads outside the product's inputs`,
        fix: `read one of the declared inputs instead: ${declared}`,
        at: name,
      }),
    ),
  ];
}

function isDeclared(reference: TableReference, allowed: ReadonlySet<string>): boolean {
  return reference.catalog === undefined && reference.schema === undefined && allowed.has(reference.table);
}

function qualifiedName(reference: TableReference): string {
  return [reference.catalog, reference.schema, reference.table].filter(Boolean).join('.');
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

/**
 * The first place a (possibly qualified, possibly quoted) name is written in the SQL text
 * outside `--` comments, 1-based; so a finding points at `sales.orders.orders`, not at a
 * comment or at its last part.
 */
function locateName(text: string, name: string): { line: number; col: number } {
  const parts = name.split('.').map((part) => `"?${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`);
  const pattern = new RegExp(`(?<![\\w."])${parts.join('\\s*\\.\\s*')}(?![\\w"])`, 'i');
  for (const [index, line] of text.split('\n').entries()) {
    const comment = line.indexOf('--');
    const match = pattern.exec(comment < 0 ? line : line.slice(0, comment));
    if (match) return { line: index + 1, col: match.index + 1 };
  }
  return { line: 1, col: 1 };
}

function sqlFinding(file: SqlFile, problem: { message: string; fix: string; at?: string }): Finding {
  const position = problem.at ? locateName(file.text, problem.at) : { line: 1, col: 1 };
  return {
    code: 'QUANTA_REFERENCE_UNRESOLVED',
    severity: 'error',
    message: problem.message,
    fix: problem.fix,
    location: { file: file.file, ...position },
  };
}
