import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type BadRowCounts, countBadRows, NO_BAD_ROWS, planBadRows } from './bad-rows.ts';
import { CAMPAIGN_COLUMNS, formatCampaignLine, generateCampaigns } from './campaigns.ts';
import { writeCsvFile } from './csv-file.ts';
import { CUSTOMER_COLUMNS, generateCustomerLines, planCustomers } from './customers.ts';
import { generateOrderLines, ORDER_COLUMNS } from './orders.ts';
import { RandomSource } from './random-source.ts';

/** What to generate; every count has a default sized for a quick local demo. */
export interface GenerateLandingOptions {
  /** Same seed, same options: byte-identical files. Default 42. */
  readonly seed?: number;
  /** Customers in the CRM export. Default 5,000. */
  readonly customers?: number;
  /** Well-formed orders (malformed rows come on top). Default 20,000. */
  readonly orders?: number;
  /** Marketing campaigns. Default 40. */
  readonly campaigns?: number;
  /** Most data rows per customers or orders file. Default 1,000,000. */
  readonly rowsPerFile?: number;
  /** Calendar year of the order dates. Default 2025. */
  readonly year?: number;
  /** Malformed rows injected into the orders files at deterministic positions. Default none. */
  readonly badRows?: Partial<BadRowCounts>;
  /** Called as rows are written, with rows done and rows to write in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A file written under `landing/`. */
export interface LandingFile {
  readonly path: string;
  /** Path from the mesh root, with `/` separators: `landing/sales/orders/orders-0001.csv`. */
  readonly relativePath: string;
  /** Data rows, header excluded, malformed rows included. */
  readonly rows: number;
  readonly bytes: number;
}

/** One generated dataset: `landing/<domain>/<source>/`. */
export interface LandingDataset {
  readonly domain: string;
  readonly source: string;
  readonly files: readonly LandingFile[];
  /** All data rows written: `goodRows` plus every malformed row. */
  readonly rows: number;
  readonly goodRows: number;
  readonly badRows: BadRowCounts;
}

/** What `generateLandingData` wrote. */
export interface GeneratedLanding {
  readonly seed: number;
  readonly customers: LandingDataset;
  readonly orders: LandingDataset;
  readonly campaigns: LandingDataset;
}

interface ResolvedOptions {
  readonly seed: number;
  readonly customers: number;
  readonly orders: number;
  readonly campaigns: number;
  readonly rowsPerFile: number;
  readonly year: number;
  readonly badRows: BadRowCounts;
}

/** Rows written so far, reported to `onProgress`. */
interface ProgressTracker {
  done: number;
  readonly total: number;
  readonly report: (done: number, total: number) => void;
}

const DEFAULTS = {
  seed: 42,
  customers: 5_000,
  orders: 20_000,
  campaigns: 40,
  rowsPerFile: 1_000_000,
  year: 2025,
};

/**
 * Writes seeded, realistic raw files for the example mesh under `<meshRoot>/landing/`:
 * the CRM's customers, the sales orders (referencing those customers and campaigns) and the
 * marketing campaigns. Files are streamed, so any scale fits in memory. Earlier generated files
 * of the same datasets are replaced.
 */
export async function generateLandingData(
  meshRoot: string,
  options: GenerateLandingOptions = {},
): Promise<GeneratedLanding> {
  const resolved = resolveOptions(options);
  const random = RandomSource.create(resolved.seed);
  const campaignRandom = random.fork();
  const customerRandom = random.fork();
  const orderRandom = random.fork();
  const badRowRandom = random.fork();

  const campaigns = generateCampaigns(campaignRandom, { count: resolved.campaigns, year: resolved.year });
  const customers = planCustomers(customerRandom, resolved.customers);
  const badRows = planBadRows(badRowRandom, { counts: resolved.badRows, goodRows: resolved.orders });
  const progress: ProgressTracker = {
    done: 0,
    total: resolved.campaigns + resolved.customers + resolved.orders + countBadRows(resolved.badRows),
    report: options.onProgress ?? (() => {}),
  };
  const write = { meshRoot, progress, rowsPerFile: resolved.rowsPerFile };
  const campaignDataset = await writeDataset(campaigns.map(formatCampaignLine).values(), {
    ...write,
    target: { domain: 'marketing', source: 'campaigns', prefix: 'campaigns', header: CAMPAIGN_COLUMNS },
    rows: campaigns.length,
    isSplit: false,
  });
  const customerDataset = await writeDataset(generateCustomerLines(customerRandom, customers), {
    ...write,
    target: { domain: 'customers', source: 'crm', prefix: 'customers', header: CUSTOMER_COLUMNS },
    rows: resolved.customers,
  });
  const orderLines = generateOrderLines(orderRandom, {
    count: resolved.orders,
    year: resolved.year,
    customers,
    campaigns,
    badRows,
  });
  const orderDataset = await writeDataset(orderLines, {
    ...write,
    target: { domain: 'sales', source: 'orders', prefix: 'orders', header: ORDER_COLUMNS },
    rows: resolved.orders + countBadRows(resolved.badRows),
    badRows: resolved.badRows,
  });
  progress.report(progress.done, progress.total);
  return {
    seed: resolved.seed,
    customers: customerDataset,
    orders: orderDataset,
    campaigns: campaignDataset,
  };
}

function resolveOptions(options: GenerateLandingOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    seed: options.seed ?? DEFAULTS.seed,
    customers: options.customers ?? DEFAULTS.customers,
    orders: options.orders ?? DEFAULTS.orders,
    campaigns: options.campaigns ?? DEFAULTS.campaigns,
    rowsPerFile: options.rowsPerFile ?? DEFAULTS.rowsPerFile,
    year: options.year ?? DEFAULTS.year,
    badRows: { ...NO_BAD_ROWS, ...options.badRows },
  };
  const counts: Record<string, number> = {
    customers: resolved.customers,
    orders: resolved.orders,
    campaigns: resolved.campaigns,
    'badRows.ragged': resolved.badRows.ragged,
    'badRows.wrongType': resolved.badRows.wrongType,
    'badRows.missingRequired': resolved.badRows.missingRequired,
  };
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`${name} must be a whole number ≥ 0, not ${value}`);
  }
  if (!Number.isSafeInteger(resolved.rowsPerFile) || resolved.rowsPerFile < 1) {
    throw new RangeError(`rowsPerFile must be a whole number ≥ 1, not ${resolved.rowsPerFile}`);
  }
  if (!Number.isFinite(resolved.seed))
    throw new RangeError(`seed must be a finite number, not ${resolved.seed}`);
  if (!Number.isSafeInteger(resolved.year) || resolved.year < 1971 || resolved.year > 9998) {
    throw new RangeError(`year must be between 1971 and 9998, not ${resolved.year}`);
  }
  if (resolved.customers === 0 && resolved.orders + countBadRows(resolved.badRows) > 0) {
    throw new RangeError('orders reference customers: customers must be ≥ 1 when generating orders');
  }
  return resolved;
}

/** Where a dataset goes and how its files are named. */
interface DatasetTarget {
  readonly domain: string;
  readonly source: string;
  /** File name stem: `orders` gives `orders-0001.csv` (split) or `orders.csv`. */
  readonly prefix: string;
  readonly header: readonly string[];
}

/** How one dataset is written. */
interface DatasetWrite {
  readonly meshRoot: string;
  readonly target: DatasetTarget;
  /** Data rows the lines yield, malformed ones included. */
  readonly rows: number;
  /** Malformed rows among them. */
  readonly badRows?: BadRowCounts;
  /** Numbered files of at most `rowsPerFile` rows, or one unnumbered file. Default true. */
  readonly isSplit?: boolean;
  readonly rowsPerFile: number;
  readonly progress: ProgressTracker;
}

async function writeDataset(lines: Iterator<string>, options: DatasetWrite): Promise<LandingDataset> {
  const { meshRoot, target, progress } = options;
  const isSplit = options.isSplit ?? true;
  const rowsPerFile = isSplit ? options.rowsPerFile : Math.max(options.rows, 1);
  const directory = path.join(meshRoot, 'landing', target.domain, target.source);
  await mkdir(directory, { recursive: true });
  await removeGeneratedFiles(directory, target.prefix);
  const fileCount = Math.max(1, Math.ceil(options.rows / rowsPerFile));
  const files: LandingFile[] = [];
  for (let ordinal = 1; ordinal <= fileCount; ordinal++) {
    const name = isSplit
      ? `${target.prefix}-${String(ordinal).padStart(4, '0')}.csv`
      : `${target.prefix}.csv`;
    const file = path.join(directory, name);
    const written = await writeCsvFile(file, {
      header: target.header,
      lines,
      maxLines: rowsPerFile,
      onChunk: (rows) => {
        progress.done += rows;
        progress.report(progress.done, progress.total);
      },
    });
    files.push({ ...written, relativePath: path.relative(meshRoot, file).split(path.sep).join('/') });
  }
  const badRows = options.badRows ?? NO_BAD_ROWS;
  const rows = files.reduce((sum, file) => sum + file.rows, 0);
  return {
    domain: target.domain,
    source: target.source,
    files,
    rows,
    goodRows: rows - countBadRows(badRows),
    badRows,
  };
}

/** Removes files an earlier run wrote for the dataset, so no stale split file is ingested. */
async function removeGeneratedFiles(directory: string, prefix: string): Promise<void> {
  const generated = new RegExp(`^${prefix}(-\\d{4,})?\\.csv(\\.part)?$`);
  for (const name of await readdir(directory)) {
    if (generated.test(name)) await rm(path.join(directory, name), { force: true });
  }
}
