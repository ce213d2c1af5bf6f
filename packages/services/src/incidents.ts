import { randomUUID } from 'node:crypto';
import {
  type CatalogState,
  type ChangeFinding,
  type ChangeSeverity,
  type Incident,
  type IncidentState,
  QuantaError,
  severityRank,
} from '@quanta/model';
import type { IncidentStore } from '@quanta/store';
import { type AlertDelivery, type AlertSink, type IncidentEvent, notifySinks } from './alert-sinks.ts';

/** What recording findings did: the incidents opened or updated, and how alerts fared. */
export interface RecordedFindings {
  readonly events: readonly IncidentEvent[];
  readonly deliveries: readonly AlertDelivery[];
}

/** The upstream ports of every port (transitively), from the products' inputs in the catalog. */
export function upstreamPorts(catalog: CatalogState): Map<string, Set<string>> {
  const inputsOf = new Map(catalog.products.map((product) => [product.address, product.inputs]));
  const direct = new Map(
    catalog.ports.map((port) => [
      port.address,
      inputsOf.get(`quanta://${port.domain}/${port.product}`) ?? [],
    ]),
  );
  const memo = new Map<string, Set<string>>();
  const visit = (port: string, path: Set<string>): Set<string> => {
    const known = memo.get(port);
    if (known) return known;
    const found = new Set<string>();
    for (const input of direct.get(port) ?? []) {
      if (path.has(input)) continue;
      found.add(input);
      for (const further of visit(input, new Set([...path, input]))) found.add(further);
    }
    memo.set(port, found);
    return found;
  };
  for (const port of direct.keys()) visit(port, new Set([port]));
  return memo;
}

/**
 * Opens or updates incidents for new findings, grouped by upstream root cause: a port's
 * findings join the live (open or acknowledged) incident of the port itself or of any port
 * upstream of it; otherwise they open an incident rooted at the most upstream port with findings
 * in this batch. Ports are handled upstream first, so a broken input reports one incident.
 * Each opened or updated incident is sent to every sink.
 */
export async function recordFindings(
  store: IncidentStore,
  input: {
    findings: readonly ChangeFinding[];
    catalog: CatalogState;
    now: string;
    sinks?: readonly AlertSink[];
  },
): Promise<RecordedFindings> {
  const upstream = upstreamPorts(input.catalog);
  const byPort = new Map<string, ChangeFinding[]>();
  for (const found of input.findings) byPort.set(found.port, [...(byPort.get(found.port) ?? []), found]);
  const ports = [...byPort.keys()].sort(
    (a, b) => (upstream.get(a)?.size ?? 0) - (upstream.get(b)?.size ?? 0) || a.localeCompare(b),
  );
  const live = [
    ...(await store.listIncidents({ state: 'open', limit: 1000 })),
    ...(await store.listIncidents({ state: 'acknowledged', limit: 1000 })),
  ];
  const touched = new Map<string, IncidentEvent>();
  for (const port of ports) {
    const findings = byPort.get(port) ?? [];
    const ancestors = upstream.get(port) ?? new Set<string>();
    const index = live.findIndex(
      (incident) =>
        incident.rootPort === port ||
        ancestors.has(incident.rootPort) ||
        incident.ports.some((reached) => ancestors.has(reached)),
    );
    const existing = live[index];
    const incident = existing
      ? {
          ...existing,
          ports: existing.ports.includes(port) ? existing.ports : [...existing.ports, port],
          findings: [...existing.findings, ...findings],
          severity: worst([existing.severity, ...findings.map((found) => found.severity)]),
          updatedAt: input.now,
        }
      : openIncident(port, { findings, now: input.now });
    await store.saveIncident(incident);
    if (existing) live[index] = incident;
    else live.push(incident);
    const wasOpened = touched.get(incident.id)?.kind === 'opened' || !existing;
    touched.set(incident.id, { kind: wasOpened ? 'opened' : 'updated', incident });
  }
  const events = [...touched.values()];
  const deliveries: AlertDelivery[] = [];
  for (const event of events) deliveries.push(...(await notifySinks(input.sinks ?? [], event)));
  return { events, deliveries };
}

function openIncident(port: string, input: { findings: readonly ChangeFinding[]; now: string }): Incident {
  const severity = worst(input.findings.map((found) => found.severity));
  const kinds = [...new Set(input.findings.map((found) => found.kind))].join(', ');
  return {
    id: `inc-${randomUUID().slice(0, 8)}`,
    rootPort: port,
    state: 'open',
    severity,
    title: `${kinds} on ${port}`,
    ports: [port],
    findings: input.findings,
    openedAt: input.now,
    updatedAt: input.now,
  };
}

function worst(severities: readonly ChangeSeverity[]): ChangeSeverity {
  return [...severities].sort((a, b) => severityRank(a) - severityRank(b))[0] ?? 'info';
}

/**
 * Moves an incident to `acknowledged` or `resolved`, with who and why; a resolved incident stays
 * resolved (new findings open a new one). Sinks are told.
 */
export async function transitionIncident(
  store: IncidentStore,
  input: {
    id: string;
    to: Exclude<IncidentState, 'open'>;
    note?: string;
    now: string;
    sinks?: readonly AlertSink[];
  },
): Promise<Incident> {
  const incident = await store.getIncident(input.id);
  if (!incident) {
    throw new QuantaError('QUANTA_NOT_FOUND', `no incident ${input.id}`, {
      fix: 'list incidents: quanta incident list',
    });
  }
  if (incident.state === 'resolved' || (incident.state === 'acknowledged' && input.to === 'acknowledged')) {
    throw new QuantaError('QUANTA_CONFLICT', `incident ${input.id} is already ${incident.state}`);
  }
  const moved: Incident = {
    ...incident,
    state: input.to,
    updatedAt: input.now,
    ...(input.to === 'resolved' ? { resolvedAt: input.now } : {}),
    ...(input.note === undefined ? {} : { note: input.note }),
  };
  await store.saveIncident(moved);
  await notifySinks(input.sinks ?? [], { kind: input.to, incident: moved });
  return moved;
}
