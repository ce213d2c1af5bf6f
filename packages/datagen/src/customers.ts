import type { Faker } from '@faker-js/faker';
import { formatEpochDay, toEpochDay } from './calendar.ts';
import { COUNTRIES, createCountryFakers, createCountryPicker } from './countries.ts';
import { formatCsvLine } from './csv-file.ts';
import type { RandomSource } from './random-source.ts';
import { WeightedPicker } from './weighted-picker.ts';

/** Header of `landing/customers/crm/customers-NNNN.csv`. */
export const CUSTOMER_COLUMNS = [
  'customer_id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'iban',
  'street',
  'city',
  'postal_code',
  'country',
  'birth_date',
  'segment',
  'signup_date',
] as const;

/** Customer segments, from most to least numerous. */
export const SEGMENTS = ['consumer', 'smb', 'enterprise'] as const;

const SEGMENT_WEIGHTS = [70, 22, 8];
const FIRST_SIGNUP = '2016-01-01';
const LAST_SIGNUP = '2024-12-31';

/**
 * The customers as the order generator needs them: identifiers, and each customer's country
 * and segment (indexes into COUNTRIES and SEGMENTS), drawn without faker so it stays cheap.
 */
export interface CustomerPool {
  readonly ids: readonly string[];
  readonly countries: Uint8Array;
  readonly segments: Uint8Array;
}

/** The identifier of the n-th customer, from 1: `C0000001`. */
export function customerId(ordinal: number): string {
  return `C${String(ordinal).padStart(7, '0')}`;
}

/** Draws `count` customers' identifiers, countries and segments. */
export function planCustomers(random: RandomSource, count: number): CustomerPool {
  const countryPicker = createCountryPicker();
  const segmentPicker = WeightedPicker.create(SEGMENT_WEIGHTS.map((weight, value) => ({ value, weight })));
  const ids: string[] = [];
  const countries = new Uint8Array(count);
  const segments = new Uint8Array(count);
  for (let index = 0; index < count; index++) {
    ids.push(customerId(index + 1));
    countries[index] = countryPicker.pick(random);
    segments[index] = segmentPicker.pick(random);
  }
  return { ids, countries, segments };
}

/**
 * The CSV lines of the planned customers. Personal data comes from the faker of the customer's
 * country (seeded from `random`); lines are produced lazily, one customer at a time.
 */
export function* generateCustomerLines(random: RandomSource, pool: CustomerPool): Generator<string> {
  const fakers = createCountryFakers(random);
  const firstSignup = toEpochDay(FIRST_SIGNUP);
  const lastSignup = toEpochDay(LAST_SIGNUP);
  for (let index = 0; index < pool.ids.length; index++) {
    const country = pool.countries[index] ?? 0;
    const faker = fakers[country] as Faker;
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    yield formatCsvLine([
      pool.ids[index] ?? '',
      firstName,
      lastName,
      faker.internet.email({ firstName, lastName }).toLowerCase(),
      faker.phone.number({ style: 'international' }),
      faker.finance.iban({ formatted: false, countryCode: COUNTRIES[country] }),
      faker.location.streetAddress(),
      faker.location.city(),
      faker.location.zipCode(),
      COUNTRIES[country] ?? '',
      faker.date.birthdate({ mode: 'age', min: 18, max: 85 }).toISOString().slice(0, 10),
      SEGMENTS[pool.segments[index] ?? 0] ?? '',
      formatEpochDay(random.nextIntBetween(firstSignup, lastSignup)),
    ]);
  }
}
