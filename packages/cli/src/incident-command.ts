import type { Incident } from '@quanta/model';
import { type AlertSink, alertSinks, openMeshIncidents, transitionIncident } from '@quanta/services';
import { loadMesh } from '@quanta/spec';
import type { Command } from 'commander';
import pc from 'picocolors';
import { databaseUrlOption, outputOf, rootOf } from './command-context.ts';

/** `quanta incident list|ack|resolve`: incidents grouped by root cause, and their states. */
export function addIncidentCommands(program: Command): void {
  const incident = program.command('incident').description('list, acknowledge and resolve incidents');
  incident
    .command('list')
    .description('incidents, most recently updated first')
    .option('--state <state>', 'open, acknowledged or resolved')
    .option('--port <address>', 'incidents reaching this port')
    .action(async (options: { state?: Incident['state']; port?: string }, command: Command) => {
      const found = await withIncidents(command, (store) =>
        store.listIncidents({
          ...(options.state ? { state: options.state } : {}),
          ...(options.port ? { port: options.port } : {}),
        }),
      );
      outputOf(command).result(found, () => renderIncidents(found));
    });
  for (const [name, to] of [
    ['ack', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const) {
    incident
      .command(`${name} <id>`)
      .description(`mark an incident ${to}`)
      .option('--note <text>', 'who and why')
      .action(async (id: string, options: { note?: string }, command: Command) => {
        const sinks = await meshAlertSinks(rootOf(command));
        const moved = await withIncidents(command, (store) =>
          transitionIncident(store, {
            id,
            to,
            now: new Date().toISOString(),
            sinks,
            ...(options.note === undefined ? {} : { note: options.note }),
          }),
        );
        outputOf(command).result(moved, () => `${moved.id} ${moved.state}`);
      });
  }
}

/** The log and the webhook of QUANTA_ALERT_WEBHOOK or quanta.yaml's `alerts.webhook`. */
async function meshAlertSinks(root: string): Promise<AlertSink[]> {
  const webhook = (await loadMesh(root)).mesh?.config.alerts?.webhook;
  return alertSinks({
    env: process.env,
    log: (line) => process.stderr.write(`${line}\n`),
    ...(webhook ? { webhook } : {}),
  });
}

async function withIncidents<T>(
  command: Command,
  work: (store: Awaited<ReturnType<typeof openMeshIncidents>>) => Promise<T>,
): Promise<T> {
  const store = await openMeshIncidents(rootOf(command), databaseUrlOption());
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** One line per incident: id, state, severity, root and reach, title. */
export function renderIncidents(incidents: readonly Incident[]): string {
  if (incidents.length === 0) return 'no incidents';
  return incidents
    .map((item) => {
      const severity = item.severity === 'critical' ? pc.red(item.severity) : pc.yellow(item.severity);
      return `${pc.bold(item.id)}  ${item.state}  ${severity}  ${item.title}  ${pc.dim(`${item.ports.length} port(s), updated ${item.updatedAt}`)}`;
    })
    .join('\n');
}
