import type { JsonValue } from '@quanta/model';
import type { Block } from '../run-workflow.ts';
import { STANDARD_LIBRARY } from '../stdlib/standard-library.ts';
import { systemWorkflowClock } from '../stdlib/stdlib-function.ts';
import { requireString } from './block-arguments.ts';
import type { ProductRunContext } from './product-run-context.ts';

/**
 * `quanta.notify`: POSTs a JSON body to a webhook (chat, incident tool, another system).
 * Like `http.*` calls it may repeat when a run resumes (ADR 009).
 */
export const notifyBlock: Block<ProductRunContext> = {
  name: 'quanta.notify',
  description:
    'POSTs a JSON message to a webhook; the product and run are added to the body. Args: url, body, ' +
    'headers?. Result: {code}.',
  args: {
    url: { type: 'string', required: true, description: 'the webhook URL' },
    body: { type: 'map', required: true, description: 'the JSON message' },
    headers: { type: 'map', required: false, description: 'extra HTTP headers' },
  },
  async run(args, context) {
    const url = requireString(args, 'url', 'quanta.notify');
    const body = { product: context.product.address, runId: context.runId, ...mapOf(args.body) };
    const post = STANDARD_LIBRARY.get('http.post');
    if (!post) throw new Error('http.post is missing from the standard library');
    const headers = { 'content-type': 'application/json', ...mapOf(args.headers) };
    const response = await post.call([url, headers, undefined, body], {
      clock: context.timer ?? systemWorkflowClock,
      env: context.env ?? {},
      log: () => {},
    });
    return { code: isCode(response) ? response.code : null };
  },
};

function mapOf(value: JsonValue | undefined): Record<string, JsonValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function isCode(value: JsonValue): value is { code: number } {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.code === 'number'
  );
}
