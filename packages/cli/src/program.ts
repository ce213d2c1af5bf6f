import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { localPrincipal } from '@quanta/governance';
import { ERROR_TABLE, type Finding, QuantaError, serializeError, toQuantaError } from '@quanta/model';
import { createDomain, createProduct, initMesh, MeshService } from '@quanta/services';
import { formatContract, lintContractFile, lintProductFile } from '@quanta/spec';
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { addAccessCommands } from './access-command.ts';
import {
  databaseUrlOption,
  type GlobalOptions,
  globals,
  outputOf,
  progressOf,
  rootOf,
  withMesh,
} from './command-context.ts';
import { addHealthCommands } from './health-command.ts';
import { addIncidentCommands } from './incident-command.ts';
import { addKeysCommands } from './keys-command.ts';
import { addLineageCommands } from './lineage-command.ts';
import { renderFindings } from './output.ts';
import { describePgWire, startPgWire } from './pg-backend.ts';
import { addProfileCommands } from './profile-command.ts';
import { writeQueryStream } from './query-output.ts';
import { renderAsset, renderCatalog, renderPlan, renderQueryTable, renderScaffold } from './render.ts';
import { addRetentionCommands } from './retention-command.ts';
import { addRunCommands, secondsOption } from './run-command.ts';
import { addTokenCommands } from './token-command.ts';
import { addTriggerCommands } from './trigger-command.ts';
import { addUsersCommands } from './users-command.ts';
import { addWorkerCommands } from './worker-command.ts';
import { addWorkflowCommands } from './workflow-command.ts';

/** Runs the CLI and returns the exit code (from the error table). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ERROR_TABLE.QUANTA_USAGE.exitCode;
    return reportError(error, program.opts<GlobalOptions>());
  }
}

function reportError(error: unknown, options: GlobalOptions): number {
  const quantaError = toQuantaError(error);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ error: serializeError(quantaError) }, null, 2)}\n`);
  } else {
    const findings = quantaError.details.findings ?? [];
    process.stderr.write(`${pc.red(`error ${quantaError.code}`)} ${quantaError.message}\n`);
    if (findings.length > 0) process.stderr.write(`${renderFindings(findings)}\n`);
    if (quantaError.details.fix) process.stderr.write(`${pc.dim(`fix: ${quantaError.details.fix}`)}\n`);
    if (quantaError.code === 'QUANTA_INTERNAL' && error instanceof Error && error.stack) {
      process.stderr.write(`${pc.dim(error.stack)}\n`);
    }
  }
  return quantaError.presentation.exitCode;
}

function buildProgram(): Command {
  const program = new Command('quanta')
    .description(
      'Quanta: a self-serve data mesh. Data products as code, built, checked, governed and served.',
    )
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--root <dir>', 'the mesh root (default: the nearest folder holding quanta.yaml)')
    .option('-q, --quiet', 'no progress output')
    .exitOverride()
    .showHelpAfterError();
  addScaffoldCommands(program);
  addLifecycleCommands(program);
  addQueryCommands(program);
  addLintCommands(program);
  addServeCommands(program);
  addLineageCommands(program);
  addKeysCommands(program);
  addRetentionCommands(program);
  addProfileCommands(program);
  addIncidentCommands(program);
  addHealthCommands(program);
  addAccessCommands(program);
  addTokenCommands(program);
  addUsersCommands(program);
  addWorkflowCommands(program);
  addRunCommands(program);
  addTriggerCommands(program);
  addWorkerCommands(program);
  return program;
}

function addScaffoldCommands(program: Command): void {
  program
    .command('init <dir>')
    .description('create a new mesh in <dir> with global heritage and a domain template')
    .option('--name <name>', 'mesh name (default: the folder name)')
    .action(async (dir: string, options: { name?: string }, command: Command) => {
      const result = await initMesh(dir, options.name ? { name: options.name } : {});
      outputOf(command).result(result, () => renderScaffold(result));
    });
  const domain = program.command('domain').description('manage domains');
  domain
    .command('create <name>')
    .description("create a domain from the mesh's domain template (its security heritage)")
    .requiredOption('--owner <email>', 'the accountable data owner')
    .action(async (name: string, options: { owner: string }, command: Command) => {
      const result = await createDomain(rootOf(command), { name, owner: options.owner });
      outputOf(command).result(result, () => renderScaffold(result));
    });
  const product = program.command('product').description('manage data products');
  product
    .command('create <domain/product>')
    .description('create a product: ODPS descriptor, ODCS contract, workflow and a sample landing file')
    .option('--port <name>', 'output port name (default: the last name part, pluralised)')
    .option('--owner <email>', "owner (default: the domain's owner)")
    .action(async (name: string, options: { port?: string; owner?: string }, command: Command) => {
      const result = await createProduct(rootOf(command), { name, ...options });
      outputOf(command).result(result, () => renderScaffold(result));
    });
  product
    .command('lint <file>')
    .description('check one product.odps.yaml against the ODPS schema and Quanta rules')
    .action(async (file: string, _options: unknown, command: Command) => {
      reportLint(command, file, await lintProductFile(file));
    });
}

function addLifecycleCommands(program: Command): void {
  program
    .command('validate')
    .description('check every file of the mesh: schemas, metadata template, references, heritage, SQL')
    .action(async (_options: unknown, command: Command) => {
      const report = await withMesh(command, (service) => service.validate());
      const summary = { isValid: report.isValid, findings: report.findings };
      outputOf(command).result(summary, () =>
        report.findings.length === 0
          ? pc.green('OK')
          : `${renderFindings(report.findings)}${report.isValid ? `\n${pc.green('OK')}` : ''}`,
      );
      if (!report.isValid) process.exitCode = ERROR_TABLE.QUANTA_SPEC_INVALID.exitCode;
    });
  program
    .command('plan')
    .description('show what apply would change, with breaking-change verdicts and affected consumers')
    .action(async (_options: unknown, command: Command) => {
      const plan = await withMesh(command, (service) => service.plan());
      outputOf(command).result(plan, () =>
        [renderPlan(plan), renderFindings(plan.findings)].filter(Boolean).join('\n'),
      );
      const tooSmall = plan.findings.find((finding) => finding.severity === 'error');
      if (tooSmall) process.exitCode = ERROR_TABLE[tooSmall.code].exitCode;
    });
  program
    .command('apply')
    .description('deploy domains, products and contracts to the catalog in one transaction (idempotent)')
    .action(async (_options: unknown, command: Command) => {
      const report = await withMesh(command, (service) =>
        service.apply({ appliedBy: process.env.USER ?? 'quanta' }),
      );
      const { created, updated, removed, unchanged } = report.result;
      outputOf(command).result(
        report,
        () => `Applied: ${created} created, ${updated} updated, ${removed} removed, ${unchanged} unchanged.`,
      );
    });
}

function addQueryCommands(program: Command): void {
  program
    .command('query <sql>')
    .description('run a read-only SELECT over published ports (<domain>.<product>.<port>) and quanta_catalog')
    .option('--format <format>', 'table, csv, json or parquet (with --output)', 'table')
    .option('--output <file>', 'the file a parquet export is written to')
    .option('--as <principal>', 'run as another principal (needs `administer`; audited)')
    .action(
      async (sql: string, options: { format: string; as?: string; output?: string }, command: Command) => {
        const actor = localPrincipal();
        const identity = { principal: options.as ?? actor, actor };
        if (options.format === 'parquet') {
          await exportParquet(command, { sql, identity, output: options.output });
          return;
        }
        const format = globals(command).json ? 'json' : options.format;
        switch (format) {
          case 'json':
          case 'csv': {
            // A CSV file is a bulk export (ADR 006): its ports must allow `export` too.
            const action = format === 'csv' ? 'export' : 'query';
            // Written as read: these formats need no look at the last row before the first.
            await withMesh(command, async (service) =>
              writeQueryStream(await service.gateway.stream(sql, identity, { action }), {
                format,
                out: process.stdout,
              }),
            );
            return;
          }
          case 'table': {
            // Aligned columns need every row's width first: the table is rendered whole.
            const result = await withMesh(command, (service) => service.query(sql, identity));
            process.stdout.write(`${renderQueryTable(result)}\n`);
            return;
          }
          default:
            throw new QuantaError('QUANTA_USAGE', `unknown format '${format}'`, {
              fix: 'use table, csv or json',
            });
        }
      },
    );
  const catalog = program.command('catalog').description('browse the catalog');
  catalog
    .command('list')
    .description('every output port with owner, contract version and current snapshot')
    .action(async (_options: unknown, command: Command) => {
      const entries = await withMesh(command, (service) => service.catalogList());
      outputOf(command).result({ entries }, () => renderCatalog(entries));
    });
  catalog
    .command('show <address>')
    .description('describe quanta://domain[/product[/port[@version][#column]]]')
    .action(async (address: string, _options: unknown, command: Command) => {
      const description = await withMesh(command, (service) => service.catalogShow(address));
      outputOf(command).result(description, () => renderAsset(description));
    });
}

/** `quanta query --format parquet --output file`: the gateway's rows, written by a separate engine instance. */
async function exportParquet(
  command: Command,
  options: { sql: string; identity: { principal: string; actor: string }; output: string | undefined },
): Promise<void> {
  const { output } = options;
  if (!output) {
    throw new QuantaError('QUANTA_USAGE', 'a parquet export needs --output <file>', {
      fix: 'quanta query "select ..." --format parquet --output result.parquet',
    });
  }
  const file = path.resolve(output);
  const result = await withMesh(command, (service) =>
    service.exportParquet(options.sql, { identity: options.identity, path: file }),
  );
  outputOf(command).result(
    { file, rows: result.rowCount, reads: result.reads },
    () => `Wrote ${result.rowCount} rows to ${file}.`,
  );
}

function addLintCommands(program: Command): void {
  const contract = program.command('contract').description('work with single ODCS contract files');
  contract
    .command('lint <file>')
    .description('check one contract against its ODCS schema version and the default metadata template')
    .action(async (file: string, _options: unknown, command: Command) => {
      reportLint(command, file, await lintContractFile(file));
    });
  contract
    .command('fmt <file>')
    .description('re-serialise a contract canonically and losslessly (prints it, or --write)')
    .option('--write', 'rewrite the file in place')
    .option('--check', 'exit non-zero when the file is not formatted')
    .action(async (file: string, options: { write?: boolean; check?: boolean }, command: Command) => {
      const text = await readFile(file, 'utf8');
      const formatted = formatContract(text);
      const isFormatted = formatted === text;
      if (options.write && !isFormatted) await writeFile(file, formatted);
      if (options.check && !isFormatted) process.exitCode = ERROR_TABLE.QUANTA_SPEC_INVALID.exitCode;
      const output = outputOf(command);
      if (output.isJson) output.result({ file, isFormatted, formatted }, () => '');
      else if (options.write || options.check)
        output.result({}, () =>
          isFormatted
            ? `${file} is formatted`
            : `${file} ${options.write ? 'reformatted' : 'is not formatted'}`,
        );
      else process.stdout.write(formatted);
    });
}

function reportLint(command: Command, file: string, findings: readonly Finding[]): void {
  const isValid = !findings.some((finding) => finding.severity === 'error');
  outputOf(command).result({ file, isValid, findings }, () =>
    findings.length === 0 ? pc.green(`${file}: OK`) : renderFindings(findings),
  );
  if (!isValid) process.exitCode = ERROR_TABLE.QUANTA_SPEC_INVALID.exitCode;
}

function addServeCommands(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (catalog, runs, SQL queries; OpenAPI at /openapi.json)')
    .option('--port <port>', 'port to listen on', process.env.QUANTA_PORT ?? '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--pg-port <port>',
      'PostgreSQL wire-protocol port (0: any free port)',
      process.env.QUANTA_PG_PORT ?? '5433',
    )
    .option('--no-pg', 'do not serve the PostgreSQL wire protocol')
    .option(
      '--trigger-poll <seconds>',
      'how often the triggers are evaluated (embedded store: queued runs are executed here too)',
      '5',
    )
    .option('--no-triggers', 'do not evaluate triggers here (leave them to `quanta worker`)')
    .action(
      async (
        options: {
          port: string;
          host: string;
          pgPort: string;
          pg: boolean;
          triggerPoll: string;
          triggers: boolean;
        },
        command: Command,
      ) => {
        const { serveApi } = await import('@quanta/server');
        const service = await MeshService.create({
          root: rootOf(command),
          progress: progressOf(command),
          ...databaseUrlOption(),
        });
        const lineageEndpoint = process.env.QUANTA_OPENLINEAGE_URL;
        const server = await serveApi(service, {
          port: Number(options.port),
          host: options.host,
          ...(options.triggers
            ? { triggers: { pollMs: secondsOption(options.triggerPoll, '--trigger-poll') * 1000 } }
            : {}),
          ...(lineageEndpoint ? { lineageEndpoint } : {}),
        });
        const pgWire = options.pg
          ? await startPgWire(service, { host: options.host, port: Number(options.pgPort) })
          : undefined;
        outputOf(command).result({ url: server.url, ...(pgWire ? { pgUrl: pgWire.url } : {}) }, () =>
          [
            `Quanta API listening on ${server.url} (OpenAPI: ${server.url}/openapi.json)`,
            ...(pgWire ? [describePgWire(pgWire)] : []),
          ].join('\n'),
        );
      },
    );
  program
    .command('demo')
    .description(
      'the example mesh end to end: generate landing data, validate, apply, run every product, then serve the API',
    )
    .option('--port <port>', 'port to listen on', process.env.QUANTA_PORT ?? '8080')
    .option('--orders <n>', 'orders to generate', '20000')
    .option('--customers <n>', 'customers to generate', '5000')
    .option('--no-serve', 'stop after the run instead of serving the API')
    .action(
      async (
        options: { port: string; orders: string; customers: string; serve: boolean },
        command: Command,
      ) => {
        // Loaded on demand: the demo pulls in the data generator, which other commands never need.
        const { runDemo } = await import('./demo.ts');
        await runDemo({
          output: outputOf(command),
          progress: progressOf(command),
          port: Number(options.port),
          orders: Number(options.orders),
          customers: Number(options.customers),
          isServing: options.serve,
          ...(globals(command).root ? { root: path.resolve(globals(command).root ?? '') } : {}),
        });
      },
    );
}
