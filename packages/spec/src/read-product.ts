import {
  type InputPortSpec,
  isJsonObject,
  type JsonObject,
  type OutputPortSpec,
  type ProductSpec,
  portAddress,
  productAddress,
} from '@quanta/model';
import { arrayField, objectField, stringField } from './json-access.ts';
import { ownerOf } from './team-owner.ts';
import type { YamlSource } from './yaml-source.ts';

/** Where a product lives: its folder and the folder names it must match. */
export interface ProductFolder {
  readonly domain: string;
  readonly name: string;
  /** Folder relative to the mesh root. */
  readonly dir: string;
}

/**
 * Reads what Quanta uses from an ODPS document: names, version, purpose, owner and ports.
 * Contracts, the workflow and SQL files are attached by the loader.
 */
export function readProduct(source: YamlSource, folder: ProductFolder): ProductSpec {
  const odps: JsonObject = isJsonObject(source.data) ? source.data : {};
  const domain = stringField(odps, 'domain') ?? folder.domain;
  const name = stringField(odps, 'name') ?? folder.name;
  const description = stringField(objectField(odps, 'description'), 'purpose');
  const owner = ownerOf(odps);
  const inputPorts = arrayField(odps, 'inputPorts').map(
    (port, index): InputPortSpec => ({
      name: stringField(port, 'name') ?? '',
      contractId: stringField(port, 'contractId') ?? '',
      version: stringField(port, 'version') ?? '',
      location: source.locate(['inputPorts', index]),
    }),
  );
  const outputPorts = arrayField(odps, 'outputPorts').map(
    (port, index): OutputPortSpec => ({
      name: stringField(port, 'name') ?? '',
      address: portAddress(domain, name, stringField(port, 'name') ?? ''),
      contractId: stringField(port, 'contractId') ?? '',
      version: stringField(port, 'version') ?? '',
      location: source.locate(['outputPorts', index]),
    }),
  );
  return {
    domain,
    name,
    address: productAddress(domain, name),
    dir: folder.dir,
    file: source.file,
    location: source.locate(['name']),
    version: stringField(odps, 'version') ?? '',
    ...(description === undefined ? {} : { description }),
    ...(owner === undefined ? {} : { owner }),
    inputPorts,
    outputPorts,
    sqlFiles: [],
    odps,
  };
}
