import { isJsonObject, type JsonObject, parseAddress, QuantaError } from '@quanta/model';
import { type LineageGraph, lineageGraph, type MeshService, renderMermaid } from '@quanta/services';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';

/** `quanta lineage [address]`: what flows into and out of products, as text or a Mermaid picture. */
export function addLineageCommands(program: Command): void {
  program
    .command('lineage [address]')
    .description('product-level lineage of the deployed mesh, or around one product or port')
    .option('--format <format>', 'text or mermaid (paste into GitHub, a wiki or mermaid.live)', 'text')
    .option('--columns', "a port's column lineage: what each column of its current snapshot derives from")
    .action(
      async (
        address: string | undefined,
        options: { format: string; columns?: boolean },
        command: Command,
      ) => {
        if (address) parseAddress(address);
        if (options.columns) {
          const facet = await withMesh(command, (service) => portColumnLineage(service, address));
          outputOf(command).result(facet, () => renderColumnLineage(facet));
          return;
        }
        const graph = await withMesh(command, async (service) =>
          lineageGraph(await service.store.loadCatalog(), address),
        );
        if (address && graph.nodes.length === 0) {
          throw new QuantaError('QUANTA_NOT_FOUND', `nothing is deployed at ${address}`, {
            fix: 'list what exists with `quanta catalog list`',
          });
        }
        outputOf(command).result(graph, () =>
          options.format === 'mermaid' ? renderMermaid(graph) : renderLineageText(graph),
        );
      },
    );
}

/** One line per output port: the product that publishes it, then every product that reads it. */
export function renderLineageText(graph: LineageGraph): string {
  const ports = graph.nodes.filter((node) => node.kind === 'port');
  if (ports.length === 0) return 'No lineage: the catalog is empty (run `quanta apply`).';
  const short = (address: string): string => address.replace('quanta://', '');
  return ports
    .map((port) => {
      const publisher = graph.edges.find((edge) => edge.to === port.address)?.from;
      const readers = graph.edges
        .filter((edge) => edge.from === port.address)
        .map((edge) => pc.cyan(short(edge.to)));
      const head = `${publisher ? `${short(publisher)} ${pc.dim('──▶')} ` : ''}${pc.bold(short(port.address))}`;
      return readers.length === 0 ? head : `${head} ${pc.dim('──▶')} ${readers.join(', ')}`;
    })
    .join('\n');
}

/** The `columnLineage` facet the run that published a port's current snapshot emitted, or `{}`. */
async function portColumnLineage(service: MeshService, address: string | undefined): Promise<JsonObject> {
  const { domain, product, port } = address ? parseAddress(address) : { domain: '' };
  if (!address || !product || !port) {
    throw new QuantaError('QUANTA_USAGE', '--columns needs the address of a port', {
      fix: 'write e.g. `quanta lineage --columns quanta://sales/segment-revenue/revenue`',
    });
  }
  const snapshot = await service.store.getCurrentSnapshot(`quanta://${domain}/${product}/${port}`);
  if (!snapshot) throw new QuantaError('QUANTA_NOT_FOUND', `${address} has no published snapshot`);
  const events = await service.runs.lineage(snapshot.runId);
  const complete = events.find((event) => event.eventType === 'COMPLETE')?.event;
  const outputs = Array.isArray(complete?.outputs) ? complete.outputs.filter(isJsonObject) : [];
  const output = outputs.find((dataset) => dataset.name === `${product}/${port}`);
  const facets = isJsonObject(output?.facets) ? output.facets : {};
  return isJsonObject(facets.columnLineage) ? facets.columnLineage : {};
}

/** One line per output column and its inputs, then the inputs that shape the whole result. */
export function renderColumnLineage(facet: JsonObject): string {
  const fields = isJsonObject(facet.fields) ? facet.fields : {};
  const text = (input: JsonObject): string => {
    const how = Array.isArray(input.transformations)
      ? input.transformations.filter(isJsonObject).map((transformation) => String(transformation.subtype))
      : [];
    return `${String(input.name)}.${String(input.field)} ${pc.dim(`(${how.join(', ')})`)}`;
  };
  const lines = Object.entries(fields).map(([column, value]) => {
    const inputs =
      isJsonObject(value) && Array.isArray(value.inputFields) ? value.inputFields.filter(isJsonObject) : [];
    return `${pc.bold(column)} ${pc.dim('◀──')} ${inputs.map(text).join(', ')}`;
  });
  const dataset = Array.isArray(facet.dataset) ? facet.dataset.filter(isJsonObject) : [];
  if (dataset.length > 0) lines.push(`${pc.dim('rows shaped by')} ${dataset.map(text).join(', ')}`);
  return lines.length === 0
    ? 'No column lineage: the port is not built by a quanta.sql transform.'
    : lines.join('\n');
}
