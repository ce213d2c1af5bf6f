import { type IncidentStore, openIncidentStore } from '@quanta/store';
import { type AlertSink, logSink, webhookSink } from './alert-sinks.ts';
import { meshPaths } from './mesh-paths.ts';

/** Opens a mesh's incidents where its catalog lives: the embedded file, or `databaseUrl`. */
export function openMeshIncidents(
  root: string,
  options: { databaseUrl?: string } = {},
): Promise<IncidentStore> {
  return openIncidentStore(
    options.databaseUrl
      ? { databaseUrl: options.databaseUrl }
      : { embeddedPath: meshPaths(root).catalogFile },
  );
}

/**
 * The alert sinks of a mesh: the log always, and a webhook from `QUANTA_ALERT_WEBHOOK` or from
 * quanta.yaml's `alerts: { webhook: … }` (the environment wins, so secrets stay out of git).
 */
export function alertSinks(input: {
  webhook?: string;
  env?: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
}): AlertSink[] {
  const url = input.env?.QUANTA_ALERT_WEBHOOK || input.webhook;
  return [logSink(input.log), ...(url ? [webhookSink(url)] : [])];
}
