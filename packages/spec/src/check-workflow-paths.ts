import path from 'node:path';
import { type Finding, isJsonObject, type JsonValue } from '@quanta/model';
import { finding } from './finding.ts';
import type { MeshFiles } from './mesh-files.ts';
import type { JsonPath, YamlSource } from './yaml-source.ts';

/** What a workflow's paths are checked against. */
export interface WorkflowPathContext {
  readonly files: MeshFiles;
  /** The product folder, relative to the mesh root. */
  readonly productDir: string;
  /** SQL files beside the product, named relative to its folder (`sql/x.sql`). */
  readonly sqlNames: ReadonlySet<string>;
}

/**
 * Checks the paths a workflow names in call arguments: `source` globs (relative to the mesh
 * root) and `query` files (relative to the product folder) must stay inside the mesh root,
 * and a `query` file must exist.
 */
export function checkWorkflowPaths(workflow: YamlSource, context: WorkflowPathContext): Finding[] {
  const findings: Finding[] = [];
  visit(workflow.data, [], (args, argsPath) => {
    findings.push(...checkArgs(workflow, { args, argsPath, context }));
  });
  return findings;
}

function visit(value: JsonValue, at: JsonPath, onArgs: (args: JsonValue, argsPath: JsonPath) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      visit(item, [...at, index], onArgs);
    });
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'args' && isJsonObject(child)) onArgs(child, [...at, key]);
    visit(child, [...at, key], onArgs);
  }
}

function checkArgs(
  workflow: YamlSource,
  { args, argsPath, context }: { args: JsonValue; argsPath: JsonPath; context: WorkflowPathContext },
): Finding[] {
  if (!isJsonObject(args)) return [];
  const findings: Finding[] = [];
  const { files, productDir } = context;
  const source = args.source;
  if (typeof source === 'string' && !isExpression(source)) {
    if (!files.isInside(path.resolve(files.root, source))) {
      findings.push(
        escapeFinding(workflow, { at: [...argsPath, 'source'], value: source, base: 'the mesh root' }),
      );
    }
  }
  const query = args.query;
  if (typeof query === 'string' && !isExpression(query) && /\.sql$/i.test(query.trim())) {
    const resolved = path.resolve(files.root, productDir, query.trim());
    if (!files.isInside(resolved)) {
      findings.push(
        escapeFinding(workflow, { at: [...argsPath, 'query'], value: query, base: 'the product folder' }),
      );
    } else {
      const name = path.relative(path.join(files.root, productDir), resolved).split(path.sep).join('/');
      if (!context.sqlNames.has(name)) {
        const known = [...context.sqlNames].join(', ') || 'none';
        findings.push(
          finding('QUANTA_REFERENCE_UNRESOLVED', workflow.locate([...argsPath, 'query']), {
            message: `query file '${query}' does not exist beside the product`,
            fix: `create ${productDir}/${name}, or name one of the product's SQL files: ${known}`,
          }),
        );
      }
    }
  }
  return findings;
}

function isExpression(text: string): boolean {
  return text.includes('${');
}

function escapeFinding(workflow: YamlSource, detail: { at: JsonPath; value: string; base: string }): Finding {
  return finding('QUANTA_PATH_ESCAPE', workflow.locate(detail.at), {
    message: `path '${detail.value}' resolves outside the mesh root`,
    fix: `use a path relative to ${detail.base} that stays inside the mesh (no leading '/', no '..' above the root)`,
  });
}
