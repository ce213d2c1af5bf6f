import { glob } from 'node:fs/promises';
import path from 'node:path';
import type { IngestFormat } from '@quanta/engine';
import { QuantaError } from '@quanta/model';
import type { Block } from '../run-workflow.ts';
import { optionalString, requireString } from './block-arguments.ts';
import { signalOf, stagedHandle } from './handles.ts';
import { ingestIncrementally } from './incremental-ingest.ts';
import { outputPortOf } from './output-port-of.ts';
import type { ProductRunContext } from './product-run-context.ts';

const FORMATS_BY_EXTENSION: Readonly<Record<string, IngestFormat>> = {
  '.csv': 'csv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
};

/** `quanta.ingest`: reads landing files into a staged table under the port's contract. */
export const ingestBlock: Block<ProductRunContext> = {
  name: 'quanta.ingest',
  description:
    'Reads CSV, JSON, NDJSON or Parquet files from landing/<domain>/ into a staged table, enforcing the ' +
    "port's contract; bad rows go to quarantine with a reason. Args: source (glob), port, format?. " +
    'Result: a staged-table handle.',
  args: {
    source: {
      type: 'string',
      required: true,
      description: 'a glob under landing/<domain>/, relative to the mesh root',
    },
    port: {
      type: 'string',
      required: true,
      description: 'the output port whose contract the rows must follow',
    },
    format: {
      type: 'string',
      required: false,
      description: 'csv, json, ndjson or parquet (default: from the file names)',
    },
    incremental: {
      type: 'boolean',
      required: false,
      description:
        "true: read only the files no earlier run ingested (the product's watermark) and append their rows " +
        "to the port's current snapshot",
    },
  },
  async run(args, context, control) {
    const source = requireString(args, 'source', 'quanta.ingest');
    const port = outputPortOf(context.product, requireString(args, 'port', 'quanta.ingest'));
    const files = await landingFiles(source, context);
    const format = ingestFormat(optionalString(args, 'format', 'quanta.ingest'), files);
    if (args.incremental === true) {
      return ingestIncrementally({ source, port, files, format, engine: signalOf(control) }, context);
    }
    context.progress.update(`ingesting ${files.length} ${format} file(s) into ${port.address}`);
    const staged = await context.engine.ingest(
      {
        files,
        format,
        columns: port.contract.table.columns,
        target: { domain: context.product.domain, runId: context.runId, name: `ingest-${port.name}` },
      },
      signalOf(control),
    );
    return stagedHandle(staged);
  },
};

async function landingFiles(source: string, context: ProductRunContext): Promise<string[]> {
  const landing = path.join(context.meshRoot, 'landing', context.product.domain);
  const pattern = path.resolve(context.meshRoot, source);
  if (!isInside(pattern, landing)) {
    throw new QuantaError(
      'QUANTA_PATH_ESCAPE',
      `ingest source '${source}' is outside landing/${context.product.domain}/`,
      {
        fix: `read files from landing/${context.product.domain}/<source>/`,
      },
    );
  }
  const files: string[] = [];
  for await (const file of glob(path.relative(context.meshRoot, pattern), { cwd: context.meshRoot })) {
    files.push(path.join(context.meshRoot, file));
  }
  if (files.length === 0) {
    throw new QuantaError('QUANTA_INGEST_FAILED', `no file matches '${source}'`, {
      fix: `put the raw files under ${path.relative(context.meshRoot, landing)}/ or fix the glob`,
    });
  }
  return files.sort();
}

function isInside(candidate: string, folder: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function ingestFormat(declared: string | undefined, files: readonly string[]): IngestFormat {
  if (declared !== undefined) {
    if (Object.values(FORMATS_BY_EXTENSION).includes(declared as IngestFormat))
      return declared as IngestFormat;
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', `unknown ingest format '${declared}'`, {
      fix: 'use csv, json, ndjson or parquet',
    });
  }
  const extensions = new Set(files.map((file) => path.extname(file).toLowerCase()));
  const [extension] = extensions;
  const format = extension ? FORMATS_BY_EXTENSION[extension] : undefined;
  if (extensions.size !== 1 || !format) {
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', 'cannot tell the ingest format from the file names', {
      fix: 'add `format: csv` (or json, ndjson, parquet) to the step args',
    });
  }
  return format;
}
