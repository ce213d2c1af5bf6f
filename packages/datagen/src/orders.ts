import { type BadRowKind, type BadRowPlan, type CorruptionRules, formatBadLine } from './bad-rows.ts';
import { daysOfYear, toEpochDay } from './calendar.ts';
import type { Campaign } from './campaigns.ts';
import { COUNTRIES } from './countries.ts';
import type { CustomerPool } from './customers.ts';
import { formatCents } from './money.ts';
import type { RandomSource } from './random-source.ts';
import { WeightedPicker } from './weighted-picker.ts';

/** Header of `landing/sales/orders/orders-NNNN.csv`. */
export const ORDER_COLUMNS = [
  'order_id',
  'customer_id',
  'order_date',
  'status',
  'channel',
  'campaign_id',
  'quantity',
  'unit_price',
  'amount',
  'currency',
] as const;

/** Order statuses. */
export const ORDER_STATUSES = ['placed', 'shipped', 'delivered', 'returned', 'cancelled'] as const;
/** Sales channels. */
export const ORDER_CHANNELS = ['web', 'store', 'app'] as const;

const STATUS_WEIGHTS = [8, 12, 68, 7, 5];
const CHANNEL_WEIGHTS = [50, 30, 20];
/** Quantity weights per segment (consumer, smb, enterprise): businesses buy in bulk. */
const QUANTITY_WEIGHTS: readonly (readonly number[])[] = [
  [50, 25, 12, 8, 5],
  [20, 20, 15, 10, 10, 8, 6, 5, 3, 3],
  [5, 5, 5, 5, 10, 5, 5, 5, 5, 15, 5, 5, 5, 5, 15],
];
const PRICE_POOL_SIZE = 1000;
const CAMPAIGN_SHARE = 0.3;
const CUSTOMER_SKEW = 1.6;

const column = (name: (typeof ORDER_COLUMNS)[number]): number => ORDER_COLUMNS.indexOf(name);

/** How malformed order rows are made. */
export const ORDER_CORRUPTION: CorruptionRules = {
  wrongTypes: [
    { column: column('quantity'), value: 'abc' },
    { column: column('order_date'), value: 'not-a-date' },
    { column: column('unit_price'), value: 'twelve' },
  ],
  requiredColumns: [column('customer_id'), column('order_id'), column('order_date')],
};

/** What the order generator draws from. */
export interface OrderPlan {
  /** Well-formed orders to write. */
  readonly count: number;
  /** The calendar year of the order dates. */
  readonly year: number;
  readonly customers: CustomerPool;
  readonly campaigns: readonly Campaign[];
  readonly badRows: BadRowPlan;
}

/** The identifier of the n-th order row, from 1: `O000000001`. */
export function orderId(ordinal: number): string {
  return `O${String(ordinal).padStart(9, '0')}`;
}

/**
 * The CSV lines of the orders, malformed rows included at their planned positions. Everything
 * drawn per row comes from pools precomputed here (dates, prices, active campaigns), so ten
 * million rows take seconds. Order ids number every row, malformed or not.
 */
export function* generateOrderLines(random: RandomSource, plan: OrderPlan): Generator<string> {
  const drawOrder = createOrderDrawer(random, plan);
  const total = plan.count + plan.badRows.positions.length;
  const ordinals: Record<BadRowKind, number> = { ragged: 0, wrongType: 0, missingRequired: 0 };
  const fields: string[] = Array<string>(ORDER_COLUMNS.length).fill('');
  let nextBad = 0;
  for (let index = 0; index < total; index++) {
    drawOrder(fields, index + 1);
    if (index !== plan.badRows.positions[nextBad]) {
      yield formatOrderLine(fields);
      continue;
    }
    const kind = plan.badRows.kinds[nextBad] as BadRowKind;
    yield formatBadLine(fields, kind, { ordinal: ordinals[kind]++, rules: ORDER_CORRUPTION });
    nextBad++;
  }
}

/** Joins the ten order fields; a template literal, as `join` costs several times more per row. */
function formatOrderLine(f: readonly string[]): string {
  return `${f[0]},${f[1]},${f[2]},${f[3]},${f[4]},${f[5]},${f[6]},${f[7]},${f[8]},${f[9]}`;
}

/** Draws an order into a reused fields array (no allocation per row but the strings). */
function createOrderDrawer(
  random: RandomSource,
  plan: OrderPlan,
): (fields: string[], ordinal: number) => void {
  if (plan.count > 0 && plan.customers.ids.length === 0)
    throw new RangeError('orders need at least one customer');
  const days = daysOfYear(plan.year);
  const dayPicker = createDayPicker(plan.year, days.length);
  const statusPicker = pickerOf(ORDER_STATUSES, STATUS_WEIGHTS);
  const channelPicker = pickerOf(ORDER_CHANNELS, CHANNEL_WEIGHTS);
  const quantityPickers = QUANTITY_WEIGHTS.map((weights) =>
    pickerOf(
      weights.map((_, index) => index + 1),
      weights,
    ),
  );
  const prices = createPricePool(random);
  const activeCampaigns = indexActiveCampaigns(plan, days.length);
  const { ids, countries, segments } = plan.customers;
  return (fields, ordinal) => {
    const customer = Math.floor(ids.length * random.nextFloat() ** CUSTOMER_SKEW);
    const day = dayPicker.pick(random);
    const quantity = (quantityPickers[segments[customer] as number] as WeightedPicker<number>).pick(random);
    const priceCents = prices[random.nextInt(prices.length)] ?? 0;
    const active = activeCampaigns[(countries[customer] ?? 0) * days.length + day] ?? [];
    const campaign = active.length > 0 && random.nextFloat() < CAMPAIGN_SHARE ? random.pick(active) : '';
    fields[0] = orderId(ordinal);
    fields[1] = ids[customer] ?? '';
    fields[2] = days[day] ?? '';
    fields[3] = statusPicker.pick(random);
    fields[4] = channelPicker.pick(random);
    fields[5] = campaign;
    fields[6] = String(quantity);
    fields[7] = formatCents(priceCents);
    fields[8] = formatCents(quantity * priceCents);
    fields[9] = 'EUR';
  };
}

function pickerOf<T>(values: readonly T[], weights: readonly number[]): WeightedPicker<T> {
  return WeightedPicker.create(values.map((value, index) => ({ value, weight: weights[index] ?? 1 })));
}

/** Days of the year, busier on weekends and in the November–December season. */
function createDayPicker(year: number, dayCount: number): WeightedPicker<number> {
  const first = toEpochDay(`${year}-01-01`);
  const season = toEpochDay(`${year}-11-01`) - first;
  const entries = Array.from({ length: dayCount }, (_, day) => {
    const weekday = (first + day + 4) % 7; // 1970-01-01 was a Thursday; 0 is Sunday
    const weekend = weekday === 0 || weekday === 6 ? 1.3 : 1;
    return { value: day, weight: weekend * (day >= season ? 1.8 : 1) };
  });
  return WeightedPicker.create(entries);
}

/** A catalogue of unit prices from about 2.50 to 800, log-uniform, ending in .99, .49 or .00. */
function createPricePool(random: RandomSource): Int32Array {
  const endings = [99, 49, 0];
  const prices = new Int32Array(PRICE_POOL_SIZE);
  for (let index = 0; index < prices.length; index++) {
    const euros = Math.floor(Math.exp(Math.log(3) + random.nextFloat() * (Math.log(800) - Math.log(3))));
    const ending = random.pick(endings);
    prices[index] = ending === 0 ? euros * 100 : (euros - 1) * 100 + ending;
  }
  return prices;
}

/** Campaign ids active per (country, day of the year), flattened as `country * days + day`. */
function indexActiveCampaigns(plan: OrderPlan, dayCount: number): string[][] {
  const active: string[][] = Array.from({ length: COUNTRIES.length * dayCount }, () => []);
  const first = toEpochDay(`${plan.year}-01-01`);
  for (const campaign of plan.campaigns) {
    const from = Math.max(campaign.startDay - first, 0);
    const to = Math.min(campaign.endDay - first, dayCount - 1);
    for (let day = from; day <= to; day++) active[campaign.country * dayCount + day]?.push(campaign.id);
  }
  return active;
}
