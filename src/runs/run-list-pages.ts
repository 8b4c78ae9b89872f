/**
 * Reading the whole run list through `GET /api/runs`, page by page: the one copy of the paging
 * rules the CLI (cli/app-client.ts) and the web console (console/api.tsx) both follow. It imports
 * types only and takes the fetch as a function, so esbuild can bundle it for the browser and Node
 * can run it in the CLI without either dragging in the other's platform.
 */
import type { RunRecord } from './run-record.js';

/** One answer of `GET /api/runs`: a page of runs and how to ask for the next one, if any. */
export interface RunListPage {
  runs: RunRecord[];
  continuationToken?: string | null;
  nextLink?: string | null;
}

/**
 * Every run (newest first, as the API sends them), following a next link (absolute or relative:
 * only the part after `/api` is kept, so a proxy's host name does not matter) or a continuation
 * token until the API stops paging. `maxPages` bounds a listing that never ends (a looping token).
 */
export async function listAllRuns(getPage: (path: string) => Promise<RunListPage>, dataset: string | undefined, maxPages: number): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const query = new URLSearchParams(dataset ? { dataset } : {});
  let path: string | undefined = `/runs${query.size ? `?${query}` : ''}`;
  for (let page = 0; path && page < maxPages; page++) {
    const body: RunListPage = await getPage(path);
    runs.push(...body.runs);
    if (body.nextLink) path = body.nextLink.replace(/^.*?\/api(?=\/)/, '');
    else if (body.continuationToken) {
      query.set('continuationToken', body.continuationToken);
      path = `/runs?${query}`;
    } else path = undefined;
  }
  return runs;
}
