import { formatEpochDay, toEpochDay } from './calendar.ts';
import { COUNTRIES, createEnglishFaker } from './countries.ts';
import { formatCsvLine } from './csv-file.ts';
import { formatCents } from './money.ts';
import type { RandomSource } from './random-source.ts';

/** Header of `landing/marketing/campaigns/campaigns.csv`. */
export const CAMPAIGN_COLUMNS = [
  'campaign_id',
  'name',
  'channel',
  'start_date',
  'end_date',
  'budget',
  'country',
] as const;

/** Marketing channels a campaign runs on. */
export const CAMPAIGN_CHANNELS = ['email', 'social', 'search', 'display'] as const;

/** A generated marketing campaign. */
export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly channel: (typeof CAMPAIGN_CHANNELS)[number];
  /** First and last day the campaign runs, as days since 1970-01-01. */
  readonly startDay: number;
  readonly endDay: number;
  readonly budgetCents: number;
  /** Index into COUNTRIES. */
  readonly country: number;
}

/** The identifier of the n-th campaign, from 1: `CMP0001`. */
export function campaignId(ordinal: number): string {
  return `CMP${String(ordinal).padStart(4, '0')}`;
}

/**
 * Campaigns spread over the order year (some start in the last weeks of the year before), each
 * in one country, running one week to two months.
 */
export function generateCampaigns(
  random: RandomSource,
  options: { count: number; year: number },
): Campaign[] {
  const faker = createEnglishFaker(random);
  const firstStart = toEpochDay(`${options.year - 1}-12-01`);
  const lastStart = toEpochDay(`${options.year}-12-15`);
  const campaigns: Campaign[] = [];
  for (let ordinal = 1; ordinal <= options.count; ordinal++) {
    const country = random.nextInt(COUNTRIES.length);
    const startDay = random.nextIntBetween(firstStart, lastStart);
    const theme = `${faker.commerce.productAdjective()} ${faker.commerce.department()}`;
    campaigns.push({
      id: campaignId(ordinal),
      name: `${theme} ${COUNTRIES[country]} ${formatEpochDay(startDay).slice(0, 7)}`,
      channel: random.pick(CAMPAIGN_CHANNELS),
      startDay,
      endDay: startDay + random.nextIntBetween(7, 60),
      budgetCents: random.nextIntBetween(50, 2000) * 10_000,
      country,
    });
  }
  return campaigns;
}

/** The CSV line of a campaign. */
export function formatCampaignLine(campaign: Campaign): string {
  return formatCsvLine([
    campaign.id,
    campaign.name,
    campaign.channel,
    formatEpochDay(campaign.startDay),
    formatEpochDay(campaign.endDay),
    formatCents(campaign.budgetCents),
    COUNTRIES[campaign.country] ?? '',
  ]);
}
