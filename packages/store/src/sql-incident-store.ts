import type { Incident, IncidentState } from '@quanta/model';
import type { IncidentQuery, IncidentStore } from './incident-store.ts';
import { migrateDatabase } from './migrate-database.ts';
import type { SqlDatabase, SqlParam, SqlRow } from './sql-database.ts';
import { jsonParam, readJson, readOptionalText, readText } from './sql-row.ts';

const COLUMNS =
  'id, root_port, state, severity, title, ports, findings, opened_at, updated_at, resolved_at, note';

/** Incidents over any {@link SqlDatabase}: one table, the same SQL on both backends. */
export class SqlIncidentStore implements IncidentStore {
  readonly kind: IncidentStore['kind'];
  readonly #db: SqlDatabase;

  private constructor(database: SqlDatabase) {
    this.#db = database;
    this.kind = database.dialect.name === 'sqlite' ? 'embedded' : 'postgres';
  }

  /** Brings the schema up to date and returns the store; it owns the database from now on. */
  static async create(options: { database: SqlDatabase }): Promise<SqlIncidentStore> {
    await migrateDatabase(options.database);
    return new SqlIncidentStore(options.database);
  }

  async saveIncident(incident: Incident): Promise<void> {
    const params: SqlParam[] = [
      incident.id,
      incident.rootPort,
      incident.state,
      incident.severity,
      incident.title,
      jsonParam(incident.ports),
      jsonParam(incident.findings),
      incident.openedAt,
      incident.updatedAt,
      incident.resolvedAt ?? null,
      incident.note ?? null,
    ];
    const updates = COLUMNS.split(', ')
      .filter((column) => column !== 'id')
      .map((column) => `${column} = excluded.${column}`)
      .join(', ');
    await this.#db.query(
      `INSERT INTO incidents (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET ${updates}`,
      params,
    );
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const [row] = await this.#db.query(`SELECT ${COLUMNS} FROM incidents WHERE id = ?`, [id]);
    return row ? incidentFromRow(row) : undefined;
  }

  async listIncidents(query: IncidentQuery = {}): Promise<Incident[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (query.state !== undefined) {
      where.push('state = ?');
      params.push(query.state);
    }
    if (query.port !== undefined) {
      where.push("CAST(ports AS TEXT) LIKE ? ESCAPE '!'");
      params.push(`%"${query.port.replace(/[!%_]/g, (char) => `!${char}`)}"%`);
    }
    params.push(query.limit ?? 100);
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM incidents ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, id LIMIT ?`,
      params,
    );
    return rows.map(incidentFromRow);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}

function incidentFromRow(row: SqlRow): Incident {
  const resolvedAt = readOptionalText(row, 'resolved_at');
  const note = readOptionalText(row, 'note');
  return {
    id: readText(row, 'id'),
    rootPort: readText(row, 'root_port'),
    state: readText(row, 'state') as IncidentState,
    severity: readText(row, 'severity') as Incident['severity'],
    title: readText(row, 'title'),
    ports: readJson(row, 'ports'),
    findings: readJson(row, 'findings'),
    openedAt: readText(row, 'opened_at'),
    updatedAt: readText(row, 'updated_at'),
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
    ...(note === undefined ? {} : { note }),
  };
}
