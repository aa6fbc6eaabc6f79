/**
 * Paging exactly as the SDK's own `paginate*` helpers do it (`createPaginator` in @smithy/core), but
 * with every page sent through {@link callAws}, under the operation's limiter and retry gate: the SDK's
 * helpers call `client.send` themselves, around both.
 *
 * What they do, and so what this does: every page request is the WHOLE input (filters, start and end
 * times, prefixes) plus the token; only the token changes. Services may encode a position in the list
 * the request's own filters selected (moto's GetLogEvents does), so a token sent without them reads
 * another list. Paging ends when a page has no token or, for operations whose end is a repeated token
 * (GetLogEvents), when the token comes back unchanged.
 */
import { callAws, type AwsCallContext } from './callAws.js';

interface PageSpec<I, O> {
  /** The operation name: it selects the limiter and names the counters. */
  readonly operation: string;
  /** Sends one page's request (the whole input with this page's token). */
  readonly send: (input: I) => Promise<O>;
  /** The input member that carries the token (`nextToken`, `ContinuationToken`). */
  readonly inputToken: keyof I & string;
  /** The next page's token in a response (`nextForwardToken`, `NextContinuationToken`). */
  readonly outputToken: (page: O) => string | undefined;
  /** GetLogEvents: the end is the page that returns the token it was sent. */
  readonly stopOnSameToken?: boolean;
}

/**
 * Every page of a listing or reading loop, one request at a time.
 *
 * @example
 * for await (const page of paginate(deps.call, spec, { logGroupName, startTime, startFromHead: true })) …
 */
async function* paginate<I extends object, O>(
  ctx: AwsCallContext,
  spec: PageSpec<I, O>,
  input: NoInfer<I>,
): AsyncGenerator<O> {
  let token = (input as Record<string, unknown>)[spec.inputToken] as string | undefined;
  for (;;) {
    const request = { ...input, ...(token === undefined ? {} : { [spec.inputToken]: token }) } as I;
    const page = await callAws(ctx, spec.operation, () => spec.send(request));
    yield page;
    const next = spec.outputToken(page);
    if (!next || (spec.stopOnSameToken === true && next === token)) return;
    token = next;
  }
}

export { paginate };
export type { PageSpec };
