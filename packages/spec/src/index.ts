export { catalogStateOf, contentHash } from './catalog-state-of.ts';
export type { ChangeLevel, ContractChange, ContractDiff } from './contract-change.ts';
export { diffContracts } from './diff-contracts.ts';
export { durationDays } from './duration-days.ts';
export { editYaml, type YamlEdit } from './edit-yaml.ts';
export { formatContract } from './format-contract.ts';
export { lintContractFile, lintProductFile } from './lint-file.ts';
export { type LoadMeshResult, loadMesh } from './load-mesh.ts';
export { WORKFLOW_TEMPLATES_DIR } from './load-workflow-templates.ts';
export { type MeshPlan, type PlanItem, planMesh, type TemplateUse } from './plan-mesh.ts';
export { readContract, retentionDaysOf } from './read-contract.ts';
export { clauseId, ON_FAIL_PROPERTY, readQualityRules } from './read-quality-rules.ts';
export { ODCS_VERSIONS, ODPS_VERSIONS } from './schema-validator.ts';
export { topologicalProducts } from './topological-products.ts';
export { nextVersion, type VersionBump, versionBump } from './version-bump.ts';
export {
  type JsonPath,
  type Locate,
  parseYaml,
  type YamlParseResult,
  type YamlSource,
} from './yaml-source.ts';
