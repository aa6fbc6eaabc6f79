/** DescribeExportTasks as a listing: every page, the whole input resent with each token. */
import {
  DescribeExportTasksCommand,
  type DescribeExportTasksCommandInput,
  type ExportTask,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Deps } from '../deps.js';
import { DESCRIBE_PAGE_LIMIT } from '../constants.js';
import { paginate } from './paginate.js';

/**
 * Every export task the filter selects (the SDK has no paginator for this operation; this one pages as
 * its paginators do). An account keeps its tasks' history, so one page of 50 is not all of them.
 *
 * @example for await (const task of listExportTasks(deps, { statusCode: 'RUNNING' })) …
 */
async function* listExportTasks(
  deps: Pick<Deps, 'clients' | 'call'>,
  input: Omit<DescribeExportTasksCommandInput, 'nextToken'>,
): AsyncGenerator<ExportTask> {
  const pages = paginate(
    deps.call,
    {
      operation: 'DescribeExportTasks',
      send: (request: DescribeExportTasksCommandInput) =>
        deps.clients.logs.send(new DescribeExportTasksCommand(request)),
      inputToken: 'nextToken',
      outputToken: (page) => page.nextToken,
    },
    { limit: DESCRIBE_PAGE_LIMIT, ...input },
  );
  for await (const page of pages) yield* page.exportTasks ?? [];
}

export { listExportTasks };
