import { base, de, en, en_GB, es, Faker, fr, it, nl } from '@faker-js/faker';
import type { RandomSource } from './random-source.ts';
import { WeightedPicker } from './weighted-picker.ts';

/** The countries customers and campaigns come from (ISO 3166-1 alpha-2). */
export const COUNTRIES = ['FR', 'DE', 'NL', 'ES', 'IT', 'GB'] as const;
export type Country = (typeof COUNTRIES)[number];

const COUNTRY_WEIGHTS: Readonly<Record<Country, number>> = { FR: 22, DE: 24, NL: 10, ES: 16, IT: 16, GB: 12 };
const COUNTRY_LOCALES = { FR: fr, DE: de, NL: nl, ES: es, IT: it, GB: en_GB } as const;

/** Faker's dates are relative to "now" unless told otherwise; a fixed day keeps output stable. */
export const REFERENCE_DATE = '2025-01-01T00:00:00Z';

/** Picks a country index (into COUNTRIES) with a plausible European customer mix. */
export function createCountryPicker(): WeightedPicker<number> {
  return WeightedPicker.create(
    COUNTRIES.map((country, index) => ({ value: index, weight: COUNTRY_WEIGHTS[country] })),
  );
}

/** A faker per country, each seeded from `random`, so names, streets and IBANs match the country. */
export function createCountryFakers(random: RandomSource): readonly Faker[] {
  return COUNTRIES.map((country) => createSeededFaker(random.nextUint32(), COUNTRY_LOCALES[country]));
}

/** An English faker seeded from `random`, for business words (campaign names). */
export function createEnglishFaker(random: RandomSource): Faker {
  return createSeededFaker(random.nextUint32(), en);
}

function createSeededFaker(seed: number, locale: typeof en): Faker {
  const faker = new Faker({ locale: [locale, en, base] });
  faker.seed(seed);
  faker.setDefaultRefDate(REFERENCE_DATE);
  return faker;
}
