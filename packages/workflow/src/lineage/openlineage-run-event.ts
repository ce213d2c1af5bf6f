import {
  type JsonObject,
  parseAddress,
  type QualityReport,
  type QualityRule,
  type SerializedError,
  type SnapshotRecord,
  type TableProfile,
} from '@quanta/model';
import { columnLineageFacet, type PortColumnLineage } from './column-lineage-facet.ts';
import { dataQualityAssertionsFacet, dataQualityMetricsFacet } from './data-quality-facets.ts';

/** Who writes Quanta's OpenLineage events (the `producer` / `_producer` URI). */
export const OPENLINEAGE_PRODUCER = 'https://github.com/quanta-mesh/quanta/tree/main/packages/workflow';

const SPEC = 'https://openlineage.io/spec';
const RUN_EVENT_SCHEMA = `${SPEC}/2-0-2/OpenLineage.json#/$defs/RunEvent`;
const FACETS = {
  schema: `${SPEC}/facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet`,
  version: `${SPEC}/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet`,
  outputStatistics: `${SPEC}/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet`,
  errorMessage: `${SPEC}/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet`,
  columnLineage: `${SPEC}/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet`,
} as const;

/** The OpenLineage transitions a Quanta run goes through. */
export type LineageEventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';

/** What an OpenLineage RunEvent of a product run says. */
export interface RunEventInput {
  readonly eventType: LineageEventType;
  readonly eventTime: string;
  /** A UUID, as OpenLineage requires. */
  readonly runId: string;
  readonly domain: string;
  readonly product: string;
  /** The input ports' snapshots the run was pinned to. */
  readonly inputs: readonly SnapshotRecord[];
  /** The snapshots the run published (COMPLETE). */
  readonly outputs?: readonly SnapshotRecord[];
  /** The quality report and profile of each published snapshot, by port address. */
  readonly outputQuality?: ReadonlyMap<string, OutputQuality>;
  readonly error?: SerializedError;
}

/** What a published snapshot was checked and profiled with: its data quality facets. */
export interface OutputQuality {
  readonly report?: QualityReport;
  readonly profile?: TableProfile;
  /** The contract's clauses, to name each assertion's kind and column. */
  readonly rules?: readonly QualityRule[];
  /** Which input port columns each column derives from (a `quanta.sql` transform's output). */
  readonly columnLineage?: PortColumnLineage;
}

/**
 * An OpenLineage RunEvent for a product run: the job is the product in namespace
 * `quanta://<domain>`, datasets are ports (`<product>/<port>` in their domain's namespace) with
 * the snapshot version, schema and, for outputs, row count and size, plus the snapshot's
 * `dataQualityAssertions` (its quality report) and `dataQualityMetrics` (its profile) facets,
 * and `columnLineage` for the output of a `quanta.sql` transform.
 */
export function openLineageRunEvent(input: RunEventInput): JsonObject {
  return {
    eventType: input.eventType,
    eventTime: input.eventTime,
    producer: OPENLINEAGE_PRODUCER,
    schemaURL: RUN_EVENT_SCHEMA,
    run: {
      runId: input.runId,
      ...(input.error ? { facets: { errorMessage: errorFacet(input.error) } } : {}),
    },
    job: { namespace: `quanta://${input.domain}`, name: input.product },
    inputs: input.inputs.map((snapshot) => dataset(snapshot)),
    outputs: (input.outputs ?? []).map((snapshot) => ({
      ...dataset(snapshot, input.outputQuality?.get(snapshot.port)),
      outputFacets: {
        outputStatistics: {
          ...facetBase(FACETS.outputStatistics),
          rowCount: snapshot.rowCount,
          size: snapshot.bytes,
          fileCount: 1,
        },
      },
    })),
  };
}

/** A port snapshot (`quanta://<domain>/<product>/<port>`) as an OpenLineage dataset: `quanta://<domain>` + `<product>/<port>`. */
function dataset(snapshot: SnapshotRecord, quality?: OutputQuality): JsonObject {
  const { domain, product = '', port = '' } = parseAddress(snapshot.port);
  const producer = OPENLINEAGE_PRODUCER;
  return {
    namespace: `quanta://${domain}`,
    name: `${product}/${port}`,
    facets: {
      version: { ...facetBase(FACETS.version), datasetVersion: String(snapshot.version) },
      schema: {
        ...facetBase(FACETS.schema),
        fields: snapshot.columns.map((column, index) => ({
          name: column.name,
          type: column.type,
          ordinal_position: index + 1,
        })),
      },
      ...(quality?.report
        ? {
            dataQualityAssertions: dataQualityAssertionsFacet(quality.report, {
              producer,
              ...(quality.rules ? { rules: quality.rules } : {}),
            }),
          }
        : {}),
      ...(quality?.profile
        ? { dataQualityMetrics: dataQualityMetricsFacet(quality.profile, { producer, snapshot }) }
        : {}),
      ...(quality?.columnLineage
        ? { columnLineage: columnLineageFacet(quality.columnLineage, facetBase(FACETS.columnLineage)) }
        : {}),
    },
  };
}

function errorFacet(error: SerializedError): JsonObject {
  return {
    ...facetBase(FACETS.errorMessage),
    message: `${error.code}: ${error.message}`,
    programmingLanguage: 'TypeScript',
  };
}

function facetBase(schemaURL: string): JsonObject {
  return { _producer: OPENLINEAGE_PRODUCER, _schemaURL: schemaURL };
}
