import type { ColumnClassification, KindDetection, SensitiveKind } from '@quanta/engine';
import {
  CLASSIFICATIONS,
  type Classification,
  type ColumnSpec,
  type JsonObject,
  type JsonValue,
  QuantaError,
} from '@quanta/model';
import type { Block } from '../run-workflow.ts';
import { optionalString, requireString } from './block-arguments.ts';
import { stagedTableOf } from './handles.ts';
import { outputPortOf } from './output-port-of.ts';
import type { ProductRunContext } from './product-run-context.ts';

const DEFAULT_MIN_RATIO = 0.8;

/** What a column holding each kind must declare: the least strict classification and the tags. */
const KIND_POLICY: Readonly<
  Record<SensitiveKind, { classification: Classification; tags: readonly string[]; holds: string }>
> = {
  email: { classification: 'restricted', tags: ['pii'], holds: 'email addresses' },
  phone: { classification: 'restricted', tags: ['pii'], holds: 'phone numbers' },
  iban: { classification: 'restricted', tags: ['pii'], holds: 'IBANs' },
  'payment-card': { classification: 'restricted', tags: ['pii'], holds: 'payment card numbers' },
  'ip-address': { classification: 'confidential', tags: ['pii'], holds: 'IP addresses' },
  'person-name': { classification: 'restricted', tags: ['pii'], holds: "people's names" },
  'birth-date': { classification: 'restricted', tags: ['pii'], holds: 'birth dates' },
  'street-address': { classification: 'restricted', tags: ['pii'], holds: 'street addresses' },
};

/** A column whose data says it is more sensitive than its contract declares. */
interface ClassificationFinding {
  readonly column: string;
  readonly kinds: readonly SensitiveKind[];
  readonly declared: string | null;
  readonly required: Classification;
  readonly missingTags: readonly string[];
  readonly message: string;
}

/**
 * `quanta.classify`: looks for personal data in a staged table (a deterministic sample of each
 * text column against email, phone, IBAN, payment card and IP address detectors, and column
 * names against hints) and compares what it finds with the classification and tags the port's
 * contract declares per column. A mismatch is a finding: logged (`onMismatch: warn`, the
 * default) or raised as QUANTA_CLASSIFICATION_MISMATCH (`fail`).
 */
export const classifyBlock: Block<ProductRunContext> = {
  name: 'quanta.classify',
  description:
    "Detects personal data in a staged table's columns and checks it against the classification and " +
    "tags the port's contract declares. Args: from, port, minRatio?, onMismatch? (warn | fail), " +
    'sampleSize?. Result: {kind: classification, port, columns: [...], findings: [...]}.',
  args: {
    from: { type: 'handle', required: true, description: 'the staged-table handle to classify' },
    port: {
      type: 'string',
      required: true,
      description: "the output port whose contract declares each column's classification and tags",
    },
    minRatio: {
      type: 'number',
      required: false,
      description:
        'share of sampled values that must match a detector for the column to hold that kind (0.8)',
    },
    onMismatch: {
      type: 'string',
      required: false,
      description:
        'warn (log the findings and go on, the default) or fail (raise QUANTA_CLASSIFICATION_MISMATCH)',
    },
    sampleSize: {
      type: 'number',
      required: false,
      description: 'non-null values sampled per text column at most (10000)',
    },
  },
  async run(args, context, control) {
    const port = outputPortOf(context.product, requireString(args, 'port', 'quanta.classify'));
    const staged = stagedTableOf(args.from, 'from');
    const minRatio = ratioArgument(args.minRatio);
    const onMismatch = mismatchArgument(optionalString(args, 'onMismatch', 'quanta.classify'));
    const sampleSize = sampleSizeArgument(args.sampleSize);
    const classified = await context.engine.classifyColumns(
      { path: staged.path },
      {
        ...(sampleSize === undefined ? {} : { sampleSize }),
        ...(control ? { signal: control.signal } : {}),
      },
    );
    const findings = findingsOf(classified, { columns: port.contract.table.columns, minRatio });
    for (const finding of findings) context.progress.update(`classify ${port.address}: ${finding.message}`);
    if (findings.length > 0 && onMismatch === 'fail') {
      throw new QuantaError(
        'QUANTA_CLASSIFICATION_MISMATCH',
        `${findings.length} column(s) of ${port.address} hold data more sensitive than declared: ${findings
          .map((finding) => finding.message)
          .join('; ')}`,
        {
          address: port.address,
          fix: `declare the classification and tags in ${port.contract.file}, or pass \`onMismatch: warn\``,
        },
      );
    }
    return {
      kind: 'classification',
      port: port.address,
      minRatio,
      columns: classified
        .map((column) => ({
          name: column.column,
          sampled: column.sampled,
          detected: detectedOf(column, minRatio),
        }))
        .filter((column) => column.detected.length > 0),
      findings: findings.map(
        (finding): JsonObject => ({
          ...finding,
          kinds: [...finding.kinds],
          missingTags: [...finding.missingTags],
        }),
      ),
    };
  },
};

/** The detections that count: every name hint, and value kinds matched by at least `minRatio` of the sample. */
function countedDetections(column: ColumnClassification, minRatio: number): KindDetection[] {
  return column.detections.filter(
    (detection) => detection.evidence === 'name' || detection.ratio >= minRatio,
  );
}

function detectedOf(column: ColumnClassification, minRatio: number): JsonValue[] {
  return countedDetections(column, minRatio).map(
    (detection): JsonObject =>
      detection.evidence === 'name'
        ? { kind: detection.kind, evidence: 'name' }
        : {
            kind: detection.kind,
            evidence: 'values',
            ratio: roundRatio(detection.ratio),
            matched: detection.matched,
          },
  );
}

function findingsOf(
  classified: readonly ColumnClassification[],
  at: { columns: readonly ColumnSpec[]; minRatio: number },
): ClassificationFinding[] {
  const findings: ClassificationFinding[] = [];
  for (const column of classified) {
    const declared = at.columns.find((candidate) => candidate.name === column.column);
    const detections = countedDetections(column, at.minRatio);
    if (!declared || detections.length === 0) continue;
    const required = strictest(detections.map((detection) => KIND_POLICY[detection.kind].classification));
    const tags = [...new Set(detections.flatMap((detection) => KIND_POLICY[detection.kind].tags))];
    const missingTags = tags.filter((tag) => !declared.tags.includes(tag));
    const isTooLoose = rankOf(declared.classification) < rankOf(required);
    if (!isTooLoose && missingTags.length === 0) continue;
    findings.push({
      column: column.column,
      kinds: detections.map((detection) => detection.kind),
      declared: declared.classification ?? null,
      required,
      missingTags,
      message: findingMessage(column, { detections, declared, required, missingTags, isTooLoose }),
    });
  }
  return findings;
}

function findingMessage(
  column: ColumnClassification,
  at: {
    detections: readonly KindDetection[];
    declared: ColumnSpec;
    required: Classification;
    missingTags: readonly string[];
    isTooLoose: boolean;
  },
): string {
  const evidence = at.detections.map((detection) => evidenceText(detection, column.sampled)).join(' and ');
  const declared = at.declared.classification
    ? `is classified \`${at.declared.classification}\``
    : 'has no classification';
  const problem = at.isTooLoose ? declared : `is not tagged ${tagList(at.missingTags)}`;
  const fixes = [
    ...(at.isTooLoose ? [`classify it \`${at.required}\``] : []),
    ...(at.missingTags.length > 0 ? [`tag it ${tagList(at.missingTags)}`] : []),
  ];
  return `column \`${column.column}\` ${evidence} but ${problem}; ${fixes.join(' and ')}`;
}

function evidenceText(detection: KindDetection, sampled: number): string {
  const holds = KIND_POLICY[detection.kind].holds;
  if (detection.evidence === 'name') return `is named like ${holds}`;
  const percent = Math.floor(detection.ratio * 100);
  return `holds ${holds} (${percent}% of ${sampled.toLocaleString('en-US')} sampled values)`;
}

function tagList(tags: readonly string[]): string {
  return tags.map((tag) => `\`${tag}\``).join(', ');
}

function strictest(classifications: readonly Classification[]): Classification {
  return classifications.reduce((a, b) => (rankOf(b) > rankOf(a) ? b : a), 'public');
}

function rankOf(classification: string | undefined): number {
  return CLASSIFICATIONS.indexOf((classification ?? '') as Classification);
}

function roundRatio(ratio: number): number {
  return Math.round(ratio * 10_000) / 10_000;
}

function ratioArgument(value: JsonValue | undefined): number {
  if (value === undefined) return DEFAULT_MIN_RATIO;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new QuantaError('QUANTA_WORKFLOW_FAILED', 'quanta.classify `minRatio` must be a number in (0, 1]', {
      fix: 'write e.g. `minRatio: 0.8`',
    });
  }
  return value;
}

function mismatchArgument(value: string | undefined): 'warn' | 'fail' {
  if (value === undefined || value === 'warn' || value === 'fail') return value ?? 'warn';
  throw new QuantaError(
    'QUANTA_WORKFLOW_FAILED',
    `quanta.classify \`onMismatch\` is warn or fail, not '${value}'`,
    {
      fix: 'write `onMismatch: warn` or `onMismatch: fail`',
    },
  );
}

function sampleSizeArgument(value: JsonValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new QuantaError(
      'QUANTA_WORKFLOW_FAILED',
      'quanta.classify `sampleSize` must be a positive integer',
      {
        fix: 'write e.g. `sampleSize: 10000`',
      },
    );
  }
  return value;
}
