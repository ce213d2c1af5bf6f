import { type ContractSpec, type OutputPortSpec, type ProductSpec, QuantaError } from '@quanta/model';

/** The output port of a product with its contract, or a clear error listing the ports there are. */
export function outputPortOf(
  product: ProductSpec,
  port: string,
): OutputPortSpec & { contract: ContractSpec } {
  const found = product.outputPorts.find((candidate) => candidate.name === port);
  if (!found?.contract) {
    const known = product.outputPorts.map((candidate) => candidate.name).join(', ') || 'none';
    throw new QuantaError(
      'QUANTA_WORKFLOW_FAILED',
      `${product.address} has no output port '${port}' with a contract`,
      {
        fix: `use one of the product's output ports: ${known}`,
      },
    );
  }
  return { ...found, contract: found.contract };
}
