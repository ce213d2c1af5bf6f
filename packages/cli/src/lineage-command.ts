import { parseAddress, QuantaError } from '@quanta/model';
import { type LineageGraph, lineageGraph, renderMermaid } from '@quanta/services';
import type { Command } from 'commander';
import pc from 'picocolors';
import { outputOf, withMesh } from './command-context.ts';

/** `quanta lineage [address]`: what flows into and out of products, as text or a Mermaid picture. */
export function addLineageCommands(program: Command): void {
  program
    .command('lineage [address]')
    .description('product-level lineage of the deployed mesh, or around one product or port')
    .option('--format <format>', 'text or mermaid (paste into GitHub, a wiki or mermaid.live)', 'text')
    .action(async (address: string | undefined, options: { format: string }, command: Command) => {
      if (address) parseAddress(address);
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
    });
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
