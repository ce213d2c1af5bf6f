import { QuantaError } from '@quanta/model';
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, parseDocument, Scalar } from 'yaml';
import { parseYaml } from './yaml-source.ts';

/** The kinds of ODCS objects whose keys have a canonical order. */
type OdcsObject =
  | 'contract'
  | 'description'
  | 'schemaObject'
  | 'property'
  | 'quality'
  | 'team'
  | 'member'
  | 'role'
  | 'sla'
  | 'support'
  | 'server'
  | 'customProperty'
  | 'authoritativeDefinition'
  | 'relationship'
  | 'price';

/** Canonical key order of each ODCS object, following the sections of the ODCS v3.1 standard. */
const KEY_ORDER: Readonly<Record<OdcsObject, readonly string[]>> = {
  contract: [
    'apiVersion',
    'kind',
    'id',
    'name',
    'version',
    'status',
    'tenant',
    'domain',
    'dataProduct',
    'tags',
    'description',
    'authoritativeDefinitions',
    'servers',
    'schema',
    'support',
    'price',
    'team',
    'roles',
    'slaDefaultElement',
    'slaProperties',
    'customProperties',
    'contractCreatedTs',
  ],
  description: ['purpose', 'limitations', 'usage', 'authoritativeDefinitions', 'customProperties'],
  schemaObject: [
    'id',
    'name',
    'physicalName',
    'physicalType',
    'logicalType',
    'businessName',
    'description',
    'dataGranularityDescription',
    'tags',
    'authoritativeDefinitions',
    'relationships',
    'quality',
    'customProperties',
    'properties',
  ],
  property: [
    'id',
    'name',
    'physicalName',
    'businessName',
    'description',
    'logicalType',
    'logicalTypeOptions',
    'physicalType',
    'required',
    'unique',
    'primaryKey',
    'primaryKeyPosition',
    'partitioned',
    'partitionKeyPosition',
    'classification',
    'encryptedName',
    'criticalDataElement',
    'tags',
    'transformSourceObjects',
    'transformLogic',
    'transformDescription',
    'examples',
    'authoritativeDefinitions',
    'relationships',
    'quality',
    'customProperties',
    'items',
    'properties',
  ],
  quality: [
    'id',
    'name',
    'description',
    'type',
    'dimension',
    'metric',
    'rule',
    'arguments',
    'validValues',
    'query',
    'engine',
    'implementation',
    'mustBe',
    'mustNotBe',
    'mustBeGreaterThan',
    'mustBeGreaterOrEqualTo',
    'mustBeLessThan',
    'mustBeLessOrEqualTo',
    'mustBeBetween',
    'mustNotBeBetween',
    'unit',
    'method',
    'severity',
    'businessImpact',
    'schedule',
    'scheduler',
    'tags',
    'authoritativeDefinitions',
    'customProperties',
  ],
  team: ['id', 'name', 'description', 'members', 'tags', 'authoritativeDefinitions', 'customProperties'],
  member: [
    'id',
    'username',
    'name',
    'description',
    'role',
    'dateIn',
    'dateOut',
    'replacedByUsername',
    'tags',
    'authoritativeDefinitions',
    'customProperties',
  ],
  role: [
    'id',
    'role',
    'description',
    'access',
    'firstLevelApprovers',
    'secondLevelApprovers',
    'customProperties',
  ],
  sla: [
    'id',
    'property',
    'value',
    'valueExt',
    'unit',
    'element',
    'driver',
    'description',
    'scheduler',
    'schedule',
  ],
  support: ['id', 'channel', 'url', 'description', 'tool', 'scope', 'invitationUrl', 'customProperties'],
  server: ['id', 'server', 'type', 'description', 'environment', 'roles', 'customProperties'],
  customProperty: ['id', 'property', 'value', 'description'],
  authoritativeDefinition: ['id', 'type', 'url', 'description'],
  relationship: ['id', 'type', 'from', 'to', 'customProperties'],
  price: ['priceAmount', 'priceCurrency', 'priceUnit'],
};

/** Children of each object whose items (or value) are ODCS objects of a known kind. */
const CHILDREN: Partial<Record<OdcsObject, Readonly<Record<string, OdcsObject>>>> = {
  contract: {
    description: 'description',
    schema: 'schemaObject',
    team: 'team',
    roles: 'role',
    slaProperties: 'sla',
    support: 'support',
    servers: 'server',
    price: 'price',
  },
  schemaObject: { properties: 'property', quality: 'quality', relationships: 'relationship' },
  property: { properties: 'property', items: 'property', quality: 'quality', relationships: 'relationship' },
  team: { members: 'member' },
};

const SHARED_CHILDREN: Readonly<Record<string, OdcsObject>> = {
  customProperties: 'customProperty',
  authoritativeDefinitions: 'authoritativeDefinition',
};

/** Strings a YAML 1.1 reader would turn into a date or time: always quoted. */
const DATE_LIKE = /^\d{4}-\d{1,2}-\d{1,2}([Tt ].*)?$/;

/**
 * Re-serialises an ODCS document canonically and losslessly: known keys in the standard's
 * order, unknown keys after them in their original order, block style with a 2-space indent,
 * date-like strings quoted, comments kept. Idempotent; the data is unchanged. Malformed YAML
 * throws QUANTA_YAML_MALFORMED.
 */
export function formatContract(text: string): string {
  const checked = parseYaml(text, 'contract');
  const [first] = checked.findings;
  if (first) {
    throw new QuantaError('QUANTA_YAML_MALFORMED', first.message, {
      findings: checked.findings,
      ...(first.location ? { location: first.location } : {}),
      ...(first.fix ? { fix: first.fix } : {}),
    });
  }
  const doc = parseDocument(text, { version: '1.2', schema: 'core', keepSourceTokens: false });
  normalise(doc.contents, 'contract');
  return doc.toString({ indent: 2, indentSeq: true, lineWidth: 0, minContentWidth: 0 });
}

function normalise(node: unknown, kind: OdcsObject | undefined): void {
  if (isSeq(node)) {
    if (node.items.length > 0) node.flow = false;
    for (const item of node.items) normalise(item, kind);
    return;
  }
  if (isMap(node)) {
    if (node.items.length > 0) node.flow = false;
    if (kind) node.items = ordered(node.items as Pair[], KEY_ORDER[kind]);
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const child = (kind ? CHILDREN[kind]?.[key] : undefined) ?? SHARED_CHILDREN[key];
      normalise(pair.value, kind ? child : undefined);
    }
    return;
  }
  if (isScalar(node)) quoteDateLike(node);
}

function ordered(pairs: Pair[], order: readonly string[]): Pair[] {
  const rank = (pair: Pair): number => {
    const index = isScalar(pair.key) ? order.indexOf(String(pair.key.value)) : -1;
    return index === -1 ? order.length : index;
  };
  // Array.prototype.sort is stable: unknown keys keep their original order after known ones.
  return pairs.filter(isPair).sort((a, b) => rank(a) - rank(b));
}

function quoteDateLike(node: Node): void {
  if (node instanceof Scalar && typeof node.value === 'string' && DATE_LIKE.test(node.value)) {
    if (node.type === Scalar.PLAIN || node.type === undefined) node.type = Scalar.QUOTE_DOUBLE;
  }
}
