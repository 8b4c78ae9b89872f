import { describe, expect, it } from 'vitest';
import { listAllRuns, type RunListPage } from '../../src/runs/run-list-pages.js';
import type { RunRecord } from '../../src/runs/run-record.js';

const run = (runId: string): RunRecord => ({ runId }) as RunRecord;

/** A fake API: answers by path, and records every path asked. */
function api(pages: Record<string, RunListPage>) {
  const asked: string[] = [];
  return {
    asked,
    getPage: async (path: string): Promise<RunListPage> => {
      asked.push(path);
      const page = pages[path];
      if (!page) throw new Error(`unexpected path ${path}`);
      return page;
    },
  };
}

describe('listAllRuns (the paging rules the CLI and the console share)', () => {
  it('follows continuation tokens, keeping the dataset filter on every page', async () => {
    const fake = api({
      '/runs?dataset=lab%2Fa': { runs: [run('a'), run('b')], continuationToken: 't 1' },
      '/runs?dataset=lab%2Fa&continuationToken=t+1': { runs: [run('c')], continuationToken: null },
    });
    expect((await listAllRuns(fake.getPage, 'lab/a', 10)).map((r) => r.runId)).toEqual(['a', 'b', 'c']);
    expect(fake.asked).toHaveLength(2);
  });

  it('follows an absolute next link by its path after /api, whatever host it names', async () => {
    const fake = api({
      '/runs': { runs: [run('a')], nextLink: 'https://proxy.example/api/runs?page=2' },
      '/runs?page=2': { runs: [run('b')] },
    });
    expect((await listAllRuns(fake.getPage, undefined, 10)).map((r) => r.runId)).toEqual(['a', 'b']);
  });

  it('stops after maxPages when the API never stops paging', async () => {
    const fake = api({ '/runs': { runs: [run('a')], nextLink: '/api/runs' } });
    expect(await listAllRuns(fake.getPage, undefined, 3)).toHaveLength(3);
    expect(fake.asked).toEqual(['/runs', '/runs', '/runs']);
  });
});
