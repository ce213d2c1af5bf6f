import path from 'node:path';
import { QuantaError } from '@quanta/model';
import type { Block } from '../run-workflow.ts';
import { systemWorkflowClock } from '../stdlib/stdlib-function.ts';
import { workflowError } from '../workflow-error.ts';
import { requireString } from './block-arguments.ts';
import type { ProductRunContext } from './product-run-context.ts';
import { checkReadiness, type ReadinessObservations, type ReadinessRule } from './readiness.ts';

const DEFAULT_POLL_SECONDS = 5;
const DEFAULT_WAIT_SECONDS = 3600;

/**
 * `quanta.wait_for`: readiness (pull, never a half delivery). Polls a landing folder until
 * the delivery is complete (marker file, expected files, expected row count, quiet period)
 * or `timeout_after` seconds pass, then raises TimeoutError. Waits on the injected clock.
 */
export const waitForBlock: Block<ProductRunContext> = {
  name: 'quanta.wait_for',
  description:
    'Waits until a delivery in a landing folder is complete: a marker file, an expected file set, an ' +
    'expected row count and/or a quiet period with no change. Args: folder, marker?, files?, rows?, ' +
    'quiet?, poll?, timeout_after?. Result: {ready, reason, files}.',
  args: {
    folder: {
      type: 'string',
      required: true,
      description: 'a folder under landing/<domain>/, mesh-relative',
    },
    marker: {
      type: 'string',
      required: false,
      description: 'a file whose presence says the delivery is done',
    },
    files: { type: 'list', required: false, description: 'file names that must all be there' },
    rows: { type: 'number', required: false, description: 'data rows expected at least, across the files' },
    quiet: { type: 'number', required: false, description: 'seconds without any file changing' },
    poll: { type: 'number', required: false, description: 'seconds between polls (default 5)' },
    timeout_after: {
      type: 'number',
      required: false,
      description: 'seconds to wait at most before TimeoutError (default 3600)',
    },
  },
  async run(args, context, control) {
    const folder = landingFolder(requireString(args, 'folder', 'quanta.wait_for'), context);
    const rule = readinessRuleOf(args);
    const timer = context.timer ?? systemWorkflowClock;
    const pollMs = numberOr(args.poll, DEFAULT_POLL_SECONDS) * 1000;
    const deadline = timer.now().getTime() + numberOr(args.timeout_after, DEFAULT_WAIT_SECONDS) * 1000;
    const observations: ReadinessObservations = new Map();
    for (;;) {
      const now = timer.now().getTime();
      const readiness = await checkReadiness(folder, { rule, now, observations });
      if (readiness.kind === 'ready') {
        return { ready: true, reason: readiness.reason, files: readiness.files.map((file) => file.path) };
      }
      if (now >= deadline || control?.signal.aborted) {
        throw workflowError('TimeoutError', `delivery in ${folder} not ready: ${readiness.reason}`);
      }
      context.progress.update(`waiting for ${folder}: ${readiness.reason}`);
      await timer.sleep(Math.min(pollMs, Math.max(1, deadline - now)), control?.signal);
    }
  },
};

/** The readiness rule of a `quanta.wait_for` call or a file-arrival trigger. */
export function readinessRuleOf(args: Readonly<Record<string, unknown>>): ReadinessRule {
  const files = Array.isArray(args.files) ? args.files.map(String) : undefined;
  return {
    ...(typeof args.marker === 'string' ? { marker: args.marker } : {}),
    ...(files ? { files } : {}),
    ...(typeof args.rows === 'number' ? { rows: args.rows } : {}),
    ...(typeof args.quiet === 'number' ? { quietSeconds: args.quiet } : {}),
  };
}

function landingFolder(folder: string, context: ProductRunContext): string {
  const landing = path.join(context.meshRoot, 'landing', context.product.domain);
  const resolved = path.resolve(context.meshRoot, folder);
  const relative = path.relative(landing, resolved);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new QuantaError(
      'QUANTA_PATH_ESCAPE',
      `folder '${folder}' is outside landing/${context.product.domain}/`,
      {
        fix: `wait on a folder under landing/${context.product.domain}/`,
      },
    );
  }
  return resolved;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && value >= 0 ? value : fallback;
}
