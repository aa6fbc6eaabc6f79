/**
 * The call log: every request the sandbox received, so a test can count calls and prove that a
 * dry run changed nothing.
 */
import type { CallRecord, ServiceName } from './types.js';

/** CloudWatch Logs operations that change state start with one of these verbs. */
const LOGS_MUTATING_VERBS = ['Create', 'Delete', 'Put', 'Tag', 'Untag', 'Cancel'] as const;

const S3_MUTATING_OPERATIONS: ReadonlySet<string> = new Set([
  'PutObject',
  'DeleteObject',
  'DeleteObjects',
  'CreateBucket',
  'DeleteBucket',
  'CopyObject',
]);

/** Whether a call changes state: logs Create/Delete/Put/Tag/Untag/Cancel, S3 writes and deletes. */
function isMutating(record: Pick<CallRecord, 'service' | 'operation'>): boolean {
  if (record.service === 'logs') return LOGS_MUTATING_VERBS.some((verb) => record.operation.startsWith(verb));
  if (record.service === 's3') return S3_MUTATING_OPERATIONS.has(record.operation);
  return false;
}

/** The calls received, in arrival order. */
class CallLog {
  readonly #records: CallRecord[] = [];

  public get records(): readonly CallRecord[] {
    return this.#records;
  }

  /** Appends a record and returns it so the pipeline can fill in `error` once it is known. */
  public record(service: ServiceName, operation: string, input: unknown, atMs: number): CallRecord {
    const record: CallRecord = { service, operation, input, atMs, realAtMs: Date.now() };
    this.#records.push(record);
    return record;
  }

  public clear(): void {
    this.#records.length = 0;
  }

  public count(operation?: string): number {
    if (operation === undefined) return this.#records.length;
    return this.#records.filter((r) => r.operation === operation).length;
  }

  /** Calls that change state, failed ones included: an attempted delete is still a delete. */
  public mutating(): CallRecord[] {
    return this.#records.filter(isMutating);
  }
}

export { CallLog, isMutating };
