import {
  type ChangeFinding,
  type Clock,
  type MeshSpec,
  type OutputPortSpec,
  type ProductSpec,
  type QualityReport,
  type RunState,
  type SnapshotRecord,
  systemClock,
} from '@quanta/model';
import type { CatalogStore, IncidentStore } from '@quanta/store';
import { detectChanges, type ObservedSnapshot, qualityFindings } from './detect-changes.ts';
import { type RecordedFindings, recordFindings } from './incidents.ts';
import { alertSinks } from './open-trust-stores.ts';

/** Snapshots of a port's history change detection reads (newest first); enough for weekly seasonality. */
const HISTORY_LIMIT = 60;

/** Where a run's findings go: the mesh's incidents, and the alert sinks. */
export interface TrustRecording {
  readonly incidents: IncidentStore;
  /** Where `QUANTA_ALERT_WEBHOOK` is read (the environment wins over quanta.yaml's `alerts.webhook`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The log sink's writer. */
  readonly log: (line: string) => void;
  readonly clock?: Clock;
}

/** A run whose workflow just ended, before the store records its end. */
export interface EndedRun {
  readonly runId: string;
  readonly product: ProductSpec;
  readonly state: RunState;
  /** The mesh, for `alerts.webhook`. */
  readonly mesh?: MeshSpec;
}

/**
 * After a run: for every output port it published, change detection against the port's history
 * plus its failed warning clauses; for a port whose publication the gate blocked, the failing
 * checks. The findings open or update incidents (grouped by upstream root cause) and go to the
 * alert sinks. Findings carry the run id, and a port already recorded for this run is skipped,
 * so a resumed run never records twice. (A run killed between saving an incident and sending its
 * alert does not send it again on resume: the incident is there, the alert is at most once.)
 */
export async function recordRunTrust(
  run: EndedRun,
  at: { store: CatalogStore; trust: TrustRecording },
): Promise<RecordedFindings> {
  const findings: ChangeFinding[] = [];
  for (const port of run.product.outputPorts) {
    if (await isRecorded(at.trust.incidents, { runId: run.runId, port: port.address })) continue;
    const found = await findingsOfPort(at.store, { run, port });
    findings.push(...found.map((item) => ({ ...item, runId: run.runId })));
  }
  if (findings.length === 0) return { events: [], deliveries: [] };
  const webhook = run.mesh?.config.alerts?.webhook;
  return recordFindings(at.trust.incidents, {
    findings,
    catalog: await at.store.loadCatalog(),
    now: (at.trust.clock ?? systemClock).now().toISOString(),
    sinks: alertSinks({ env: at.trust.env, log: at.trust.log, ...(webhook ? { webhook } : {}) }),
  });
}

async function isRecorded(incidents: IncidentStore, key: { runId: string; port: string }): Promise<boolean> {
  const reaching = await incidents.listIncidents({ port: key.port, limit: 1000 });
  return reaching.some((incident) =>
    incident.findings.some((item) => item.runId === key.runId && item.port === key.port),
  );
}

async function findingsOfPort(
  store: CatalogStore,
  at: { run: EndedRun; port: OutputPortSpec },
): Promise<ChangeFinding[]> {
  const snapshot = await store.runQueue.findRunSnapshot(at.run.runId, at.port.address);
  if (snapshot) {
    const report = (await store.getQualityReport(snapshot.port, snapshot.version))?.report;
    return [
      ...detectChanges(await observe(store, snapshot), await history(store, snapshot)),
      ...(report ? qualityFindings(snapshot, { report, rules: at.port.contract?.quality ?? [] }) : []),
    ];
  }
  if (at.run.state !== 'blocked') return [];
  const [blocked] = await store.listQualityReports({ runId: at.run.runId, port: at.port.address, limit: 1 });
  return blocked ? blockedFindings(at.port.address, blocked.report) : [];
}

/** The port's earlier snapshots, newest first, with their profiles and how their runs ended. */
async function history(store: CatalogStore, current: SnapshotRecord): Promise<ObservedSnapshot[]> {
  const earlier = (await store.listSnapshots(current.port))
    .filter((snapshot) => snapshot.version < current.version)
    .slice(0, HISTORY_LIMIT);
  return Promise.all(earlier.map((snapshot) => observe(store, snapshot)));
}

async function observe(store: CatalogStore, snapshot: SnapshotRecord): Promise<ObservedSnapshot> {
  const profile = await store.getProfile(snapshot.port, snapshot.version);
  const runState = (await store.getRun(snapshot.runId))?.state;
  return {
    snapshot,
    ...(profile ? { profile } : {}),
    ...(runState ? { runState } : {}),
  };
}

/** A blocked publication: each failed schema check and `error` clause is a critical finding. */
export function blockedFindings(port: string, report: QualityReport): ChangeFinding[] {
  const schema = report.schema
    .filter((check) => !check.passed)
    .map(
      (check): ChangeFinding => ({
        kind: 'quality',
        severity: 'critical',
        port,
        ...(check.column ? { column: check.column } : {}),
        message: `publication blocked: ${check.name}: ${check.detail}`,
      }),
    );
  const clauses = report.clauses
    .filter((clause) => clause.status === 'failed' && clause.severity === 'error')
    .map(
      (clause): ChangeFinding => ({
        kind: 'quality',
        severity: 'critical',
        port,
        message: `publication blocked: ${clause.name}: ${clause.detail}`,
        ...(clause.measured === undefined ? {} : { measured: clause.measured }),
      }),
    );
  return [...schema, ...clauses];
}
