export type { BadRowCounts, BadRowKind } from './bad-rows.ts';
export { CAMPAIGN_CHANNELS, CAMPAIGN_COLUMNS } from './campaigns.ts';
export { COUNTRIES } from './countries.ts';
export { CUSTOMER_COLUMNS, SEGMENTS } from './customers.ts';
export {
  type GeneratedLanding,
  type GenerateLandingOptions,
  generateLandingData,
  type LandingDataset,
  type LandingFile,
} from './generate-landing-data.ts';
export { ORDER_CHANNELS, ORDER_COLUMNS, ORDER_STATUSES } from './orders.ts';
export { RandomSource } from './random-source.ts';
