import path from 'node:path';
import { parseArgs } from 'node:util';
import { type GenerateLandingOptions, generateLandingData } from './generate-landing-data.ts';

const USAGE = `usage: node packages/datagen/src/main.ts <meshRoot> [options]
  --seed <n>              same seed, same bytes (default 42)
  --customers <n>         customers (default 5000)
  --orders <n>            well-formed orders (default 20000)
  --campaigns <n>         campaigns (default 40)
  --rows-per-file <n>     most rows per customers/orders file (default 1000000)
  --ragged <n>            orders rows with too many or too few fields (default 0)
  --wrong-type <n>        orders rows with a value of the wrong type (default 0)
  --missing-required <n>  orders rows with an empty required value (default 0)`;

/** Parses the command line into a mesh root and generator options; throws with the usage on misuse. */
export function parseCommandLine(args: readonly string[]): {
  meshRoot: string;
  options: GenerateLandingOptions;
} {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      customers: { type: 'string' },
      orders: { type: 'string' },
      campaigns: { type: 'string' },
      'rows-per-file': { type: 'string' },
      ragged: { type: 'string' },
      'wrong-type': { type: 'string' },
      'missing-required': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [meshRoot] = positionals;
  if (values.help || meshRoot === undefined || positionals.length > 1) throw new Error(USAGE);
  const count = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value.replaceAll('_', ''));
    if (!Number.isSafeInteger(parsed) || parsed < 0)
      throw new Error(`--${name} must be a whole number, not '${value}'\n${USAGE}`);
    return parsed;
  };
  const options: GenerateLandingOptions = {
    seed: count('seed', values.seed),
    customers: count('customers', values.customers),
    orders: count('orders', values.orders),
    campaigns: count('campaigns', values.campaigns),
    rowsPerFile: count('rows-per-file', values['rows-per-file']),
    badRows: {
      ragged: count('ragged', values.ragged),
      wrongType: count('wrong-type', values['wrong-type']),
      missingRequired: count('missing-required', values['missing-required']),
    },
  };
  return { meshRoot: path.resolve(meshRoot), options: withoutUndefined(options) };
}

function withoutUndefined(options: GenerateLandingOptions): GenerateLandingOptions {
  const badRows = Object.fromEntries(
    Object.entries(options.badRows ?? {}).filter(([, value]) => value !== undefined),
  );
  const rest = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...rest, badRows };
}

/** Reports progress on stderr: a rewritten line on a terminal, a line per tenth otherwise. */
function createProgressReporter(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let lastShown = -1;
  return (done, total) => {
    const percent = total === 0 ? 100 : Math.floor((100 * done) / total);
    const step = stream.isTTY ? percent : Math.floor(percent / 10) * 10;
    if (step === lastShown) return;
    lastShown = step;
    const text = `generating landing data: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows (${step}%)`;
    stream.write(stream.isTTY ? `\r${text}${percent === 100 ? '\n' : ''}` : `${text}\n`);
  };
}

async function main(): Promise<void> {
  const { meshRoot, options } = parseCommandLine(process.argv.slice(2));
  const started = performance.now();
  const landing = await generateLandingData(meshRoot, {
    ...options,
    onProgress: createProgressReporter(process.stderr),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const dataset of [landing.customers, landing.orders, landing.campaigns]) {
    const bad = dataset.rows - dataset.goodRows;
    process.stdout.write(
      `${dataset.domain}/${dataset.source}: ${dataset.rows.toLocaleString('en')} rows (${bad} malformed) in ${dataset.files.length} file(s)\n`,
    );
    for (const file of dataset.files)
      process.stdout.write(`  ${file.relativePath}  ${file.rows.toLocaleString('en')} rows\n`);
  }
  process.stdout.write(`seed ${landing.seed}, ${seconds}s, under ${path.join(meshRoot, 'landing')}\n`);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
