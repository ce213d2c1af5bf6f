import type { GatewayResult } from '@quanta/gateway';
import type { RunRecord } from '@quanta/model';
import type { AssetDescription, CatalogEntry, ScaffoldResult } from '@quanta/services';
import type { MeshPlan } from '@quanta/spec';
import pc from 'picocolors';
import { formatBytes, renderTable } from './output.ts';

/** `quanta plan`: one line per change, breaking changes flagged, consumers listed. */
export function renderPlan(plan: MeshPlan): string {
  const changes = plan.items.filter((item) => item.action !== 'unchanged');
  if (changes.length === 0) return pc.green('No changes. The catalog matches the files.');
  const templates = plan.templates
    .filter((use) => use.affectedProducts.length > 0)
    .map(
      (use) =>
        `${pc.yellow('~')} template ${use.ref} ${pc.dim(`(${use.hash.slice(0, 12)}) products: ${use.affectedProducts.join(', ')}`)}`,
    );
  const lines = changes.map((item) => {
    const symbol = { create: pc.green('+'), update: pc.yellow('~'), remove: pc.red('-'), unchanged: ' ' }[
      item.action
    ];
    const verdict = item.diff && item.diff.verdict !== 'none' ? ` [${verdictText(item.diff.verdict)}]` : '';
    const consumers =
      item.affectedConsumers.length > 0 ? pc.dim(` consumers: ${item.affectedConsumers.join(', ')}`) : '';
    const details = (item.diff?.changes ?? []).map(
      (change) => `    ${change.breaking ? pc.red('BREAKING') : pc.dim('change')} ${change.message}`,
    );
    return [`${symbol} ${item.kind} ${item.address}${verdict}${consumers}`, ...details].join('\n');
  });
  const counts = ['create', 'update', 'remove'].map(
    (action) => `${plan.items.filter((item) => item.action === action).length} to ${action}`,
  );
  return [...lines, ...templates, '', `Plan: ${counts.join(', ')}.`].join('\n');
}

function verdictText(verdict: string): string {
  return verdict === 'major' ? pc.red('major: breaking') : verdict;
}

/** `quanta run`: one line per run. */
export function renderRuns(runs: readonly RunRecord[]): string {
  return runs
    .map((run) => {
      const state = run.state === 'succeeded' ? pc.green(run.state) : pc.red(run.state);
      const error = run.error
        ? `\n    ${run.error.code}: ${run.error.message}${run.error.fix ? `\n    fix: ${run.error.fix}` : ''}`
        : '';
      return `${state} ${run.product} run ${run.id}${error}`;
    })
    .join('\n');
}

/** `quanta query` as a table, with what it read. */
export function renderQueryTable(result: GatewayResult): string {
  const table = renderTable(
    result.columns.map((column) => column.name),
    result.rows,
  );
  const reads = result.reads.map((read) => `${read.address}@${read.version}`).join(', ');
  const footer = pc.dim(
    `${result.rows.length} row(s) in ${result.durationMs.toFixed(1)} ms${reads ? ` from ${reads}` : ''}`,
  );
  return `${table}\n${footer}`;
}

/** `quanta catalog list`. */
export function renderCatalog(entries: readonly CatalogEntry[]): string {
  if (entries.length === 0) return 'The catalog is empty: run `quanta apply`.';
  return renderTable(
    ['address', 'owner', 'contract', 'version', 'rows', 'quarantined', 'size', 'published'],
    entries.map((entry) => [
      entry.address,
      entry.owner ?? '',
      entry.contractVersion,
      entry.currentVersion === undefined ? '-' : `@${entry.currentVersion}`,
      entry.rowCount ?? null,
      entry.quarantinedRows ?? null,
      formatBytes(entry.bytes),
      entry.publishedAt ?? '',
    ]),
  );
}

/** `quanta catalog show`. */
export function renderAsset(description: AssetDescription): string {
  switch (description.kind) {
    case 'domain':
      return [
        `${pc.bold(`quanta://${description.domain.name}`)}  owner ${description.domain.owner}`,
        description.domain.description ?? '',
        ...description.products.map((product) => `  ${product.address}  v${product.version}`),
      ].join('\n');
    case 'product':
      return [
        `${pc.bold(description.product.address)}  v${description.product.version}  owner ${description.product.owner ?? '-'}`,
        description.product.description ?? '',
        `inputs: ${description.product.inputs.join(', ') || 'none'}`,
        `output ports: ${description.ports.map((port) => port.address).join(', ')}`,
        `consumers: ${description.consumers.join(', ') || 'none'}`,
      ].join('\n');
    case 'port':
      return renderPort(description);
    case 'column':
      return JSON.stringify(description.column, null, 2);
  }
}

function renderPort(description: Extract<AssetDescription, { kind: 'port' }>): string {
  const { port, snapshot } = description;
  const columns = renderTable(
    ['column', 'type', 'required', 'classification', 'tags'],
    port.columns.map((column) => [
      column.name,
      column.physicalType ?? column.logicalType,
      column.required,
      column.classification ?? null,
      column.tags.join(','),
    ]),
  );
  const current = snapshot
    ? `snapshot @${snapshot.version}: ${snapshot.rowCount} rows (${snapshot.quarantinedRows} quarantined), ${formatBytes(snapshot.bytes)}, schema ${snapshot.schemaHash.slice(0, 12)}, run ${snapshot.runId}, ${snapshot.createdAt}`
    : 'no published snapshot';
  const inputs = snapshot?.inputVersions.map((input) => `${input.port}@${input.version}`).join(', ');
  return [
    `${pc.bold(port.address)}  contract ${port.contractId} v${port.contractVersion}`,
    current,
    ...(inputs ? [`computed from: ${inputs}`] : []),
    `history: ${description.history.map((item) => `@${item.version}`).join(' ') || 'none'}`,
    `consumers: ${description.consumers.join(', ') || 'none'}`,
    '',
    columns,
  ].join('\n');
}

/** Scaffold commands: the files written. */
export function renderScaffold(result: ScaffoldResult): string {
  return [`Created in ${result.root}:`, ...result.files.map((file) => `  ${pc.green('+')} ${file}`)].join(
    '\n',
  );
}
