/**
 * Reading a CloudWatch Logs JSON request the way AWS validates it, and key-based pagination.
 *
 * Pagination tokens carry the sort key of the last item returned, not an offset: a caller that
 * deletes streams while paging (as cwl-trim does) must neither skip nor repeat any.
 */
import { invalidParameter, validationMessage } from '../errors.js';

type Input = Readonly<Record<string, unknown>>;

/** A required non-empty string member, or AWS's validation error. */
function reqString(input: Input, key: string): string {
  const value = input[key];
  if (value === undefined || value === null) {
    throw invalidParameter(validationMessage(key, null, 'Member must not be null'));
  }
  if (typeof value !== 'string') throw invalidParameter(`Expected ${key} to be a string.`);
  if (value.length === 0) {
    throw invalidParameter(validationMessage(key, value, 'Member must have length greater than or equal to 1'));
  }
  return value;
}

/** An optional string member. */
function optString(input: Input, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`Expected ${key} to be a string.`);
  return value;
}

/** An optional finite number member. */
function optNumber(input: Input, key: string): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameter(`Expected ${key} to be a number.`);
  return value;
}

/** A required number member. */
function reqNumber(input: Input, key: string): number {
  const value = optNumber(input, key);
  if (value === undefined) throw invalidParameter(validationMessage(key, null, 'Member must not be null'));
  return value;
}

/** An optional boolean member. */
function optBool(input: Input, key: string): boolean | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`Expected ${key} to be a boolean.`);
  return value;
}

/** `limit` between 1 and `max`, `fallback` when absent; AWS's validation message otherwise. */
function limitOf(input: Input, max: number, fallback: number = max): number {
  const value = optNumber(input, 'limit');
  if (value === undefined) return fallback;
  if (value > max)
    throw invalidParameter(validationMessage('limit', value, `Member must have value less than or equal to ${max}`));
  if (value < 1)
    throw invalidParameter(validationMessage('limit', value, 'Member must have value greater than or equal to 1'));
  return Math.floor(value);
}

/** An opaque pagination token carrying `key`. */
function encodeToken(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key a token carries, or InvalidParameterException for a token we never issued. */
function decodeToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw invalidParameter('The specified nextToken is invalid.');
  }
}

interface PageOptions<T, K> {
  readonly limit: number;
  readonly token: string | undefined;
  readonly keyOf: (item: T) => K;
  /** Orders keys as the items are ordered. */
  readonly compare: (a: K, b: K) => number;
  /** Rejects a decoded token that is not a key of this listing. */
  readonly isKey: (value: unknown) => value is K;
}

/**
 * One page of `sorted` after the key carried by `token`. The next token is sent only when more
 * items follow, so a paginator stops exactly at the end.
 */
function paginate<T, K>(sorted: readonly T[], opts: PageOptions<T, K>): { page: T[]; nextToken?: string } {
  let start = 0;
  if (opts.token !== undefined) {
    const key = decodeToken(opts.token);
    if (!opts.isKey(key)) throw invalidParameter('The specified nextToken is invalid.');
    start = sorted.findIndex((item) => opts.compare(opts.keyOf(item), key) > 0);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + opts.limit);
  const last = page.at(-1);
  if (last === undefined || start + opts.limit >= sorted.length) return { page };
  return { page, nextToken: encodeToken(opts.keyOf(last)) };
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** Keys by name: the default order of groups, streams and filters. */
const byName = { compare: (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0), isKey: isString } as const;

export { byName, decodeToken, encodeToken, limitOf, optBool, optNumber, optString, paginate, reqNumber, reqString };
export type { Input };
