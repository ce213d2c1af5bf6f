import type { SourceLocation } from './errors.ts';
import type { JsonObject, JsonValue } from './json.ts';
import type { QualityRule } from './quality.ts';

/**
 * The mesh as declared in files: the result of loading a mesh root. Raw documents are kept
 * whole (lossless); the typed fields are what Quanta itself reads from them.
 */
export interface MeshSpec {
  /** Absolute path of the mesh root (the folder holding quanta.yaml). */
  readonly root: string;
  readonly config: MeshConfig;
  readonly domains: readonly DomainSpec[];
  readonly products: readonly ProductSpec[];
  /** Global Cedar policies, `governance/policies/*.cedar`. */
  readonly globalPolicies: readonly PolicyFile[];
  /** The template new domains are created from (`governance/templates/domain/`), when present. */
  readonly domainTemplate?: DomainTemplate;
}

/** `quanta.yaml`: the mesh's name and global settings. */
export interface MeshConfig {
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  /** Global guardrails every domain inherits and cannot weaken. */
  readonly heritage: Heritage;
  /** Where incident alerts go besides the log (`alerts:` in quanta.yaml). */
  readonly alerts?: AlertsConfig;
  readonly raw: JsonObject;
}

/** `alerts:` in quanta.yaml; the `QUANTA_ALERT_WEBHOOK` environment variable wins over `webhook`. */
export interface AlertsConfig {
  /** A URL receiving each incident event as JSON (Slack-style incoming webhooks display its `text`). */
  readonly webhook?: string;
}

/**
 * The security heritage: rules set globally (quanta.yaml) or by the domain template, which a
 * domain may tighten but never weaken.
 */
export interface Heritage {
  /** Longest retention any contract may declare, in days. */
  readonly maxRetentionDays?: number;
  /** The least strict classification allowed for columns tagged `pii`. */
  readonly piiClassification?: Classification;
  /** Quality dimensions every contract must cover with at least one rule. */
  readonly requiredQualityGates: readonly string[];
  /** Metadata every contract must fill (the metadata template). */
  readonly requiredMetadata: readonly RequiredMetadata[];
  /** Default retention class of new domains. */
  readonly retentionClass?: string;
}

/** A field of the metadata template every contract must fill. */
export type RequiredMetadata =
  | 'owner'
  | 'description'
  | 'purpose'
  | 'classification'
  | 'quality'
  | 'retention';

/** Classification levels, from least to most sensitive. */
export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** `governance/templates/domain/`: files copied into every new domain. */
export interface DomainTemplate {
  readonly dir: string;
  readonly files: readonly string[];
}

/** `domains/<domain>/domain.yaml`. */
export interface DomainSpec {
  readonly file: string;
  readonly location: SourceLocation;
  readonly name: string;
  readonly owner: string;
  readonly team?: string;
  readonly description?: string;
  readonly subdomains: readonly string[];
  /** The domain's own heritage settings; checked never to weaken the global ones. */
  readonly heritage: Partial<Heritage>;
  readonly policies: readonly PolicyFile[];
  readonly raw: JsonObject;
}

/** A Cedar policy file, kept as text (compiled by governance). */
export interface PolicyFile {
  readonly file: string;
  readonly text: string;
}

/** `domains/<domain>/products/<product>/product.odps.yaml` plus the files beside it. */
export interface ProductSpec {
  readonly domain: string;
  readonly name: string;
  /** `quanta://<domain>/<product>`. */
  readonly address: string;
  /** Folder of the product, relative to the mesh root. */
  readonly dir: string;
  readonly file: string;
  readonly location: SourceLocation;
  readonly version: string;
  readonly description?: string;
  readonly owner?: string;
  readonly inputPorts: readonly InputPortSpec[];
  readonly outputPorts: readonly OutputPortSpec[];
  readonly workflow?: WorkflowSpec;
  /** `triggers.yaml` beside the workflow, as written (the services interpret it, ADR 013). */
  readonly triggers?: JsonValue;
  readonly sqlFiles: readonly SqlFile[];
  /** The ODPS document as written (lossless). */
  readonly odps: JsonObject;
}

/** An input port: it consumes another product's output port, found through its contract id. */
export interface InputPortSpec {
  readonly name: string;
  readonly contractId: string;
  readonly version: string;
  readonly location: SourceLocation;
  /** Address of the upstream output port, once resolved (`quanta://d/p/port`). */
  readonly source?: string;
}

/** An output port and the contract it publishes under. */
export interface OutputPortSpec {
  readonly name: string;
  readonly address: string;
  readonly contractId: string;
  readonly version: string;
  readonly location: SourceLocation;
  readonly contract?: ContractSpec;
}

/** An ODCS contract: the raw document plus the table schema Quanta enforces. */
export interface ContractSpec {
  readonly file: string;
  readonly id: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly table: TableSchema;
  /** Retention in days, from the `retention` SLA property, when declared. */
  readonly retentionDays?: number;
  readonly owner?: string;
  /**
   * Every quality clause of the contract: its quality rules (schema and property level), the
   * column constraints (required, unique, enum, pattern, length), relationships and the SLA
   * properties, each enforceable or explicitly not.
   */
  readonly quality: readonly QualityRule[];
  /** Where the contract's `version` is written, for findings about the version bump. */
  readonly versionLocation?: SourceLocation;
  /** The ODCS document as written (lossless). */
  readonly odcs: JsonObject;
}

/** The one table an output port holds. */
export interface TableSchema {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
}

/** A column as Quanta enforces it. */
export interface ColumnSpec {
  readonly name: string;
  readonly logicalType: string;
  readonly physicalType?: string;
  readonly required: boolean;
  readonly unique: boolean;
  readonly primaryKey: boolean;
  readonly classification?: string;
  readonly tags: readonly string[];
  readonly description?: string;
  /** Allowed values, from a `validValues` quality rule or logicalTypeOptions. */
  readonly enumValues?: readonly string[];
  readonly maxLength?: number;
  readonly precision?: number;
  readonly scale?: number;
  readonly location?: SourceLocation;
}

/** A path into a parsed document: object keys and array indexes, as in a JSON pointer. */
export type DocumentPath = readonly (string | number)[];

/** Finds where a path of a parsed file is written, for `file:line:col` findings. */
export type LocateInFile = (path: DocumentPath) => SourceLocation;

/** `workflow.yaml` in Cloud Workflows syntax, kept raw for the workflow package. */
export interface WorkflowSpec {
  readonly file: string;
  readonly source: unknown;
  /** Where each node of `source` is written; absent when the source has no file behind it. */
  readonly locate?: LocateInFile;
  /** The versioned workflow templates its steps call (`call: templates.<name>.<version>`). */
  readonly templates?: readonly WorkflowTemplateSpec[];
}

/** A versioned workflow template: `governance/templates/workflows/<name>/<version>.yaml`. */
export interface WorkflowTemplateSpec {
  /** What a step calls: `templates.<name>.<version>`. */
  readonly ref: string;
  readonly file: string;
  readonly source: unknown;
  readonly locate?: LocateInFile;
  /** SHA-256 of the file's text: a changed template changes every product calling it. */
  readonly hash: string;
}

/** A SQL transform file beside a product. */
export interface SqlFile {
  /** Path relative to the mesh root. */
  readonly file: string;
  /** Path relative to the product folder, as workflows name it (`sql/x.sql`). */
  readonly name: string;
  readonly text: string;
}
