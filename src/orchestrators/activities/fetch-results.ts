import * as df from 'durable-functions';
import { decodeResultsFile, ResultsFileError } from '../../azure/results-file.js';
import { renderResultsChart } from '../../runs/loss-chart.js';
import type { FineTuningMethod } from '../../validation/models.js';
import { runBlobName } from '../../runs/run-store.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const FETCH_RESULTS = 'fetchResults';
export interface FetchResultsInput {
  runId: string;
  resultFileId: string;
  title: string;
  /** The run's method: the chart shows its own metric (RFT reward, DPO loss). */
  method?: FineTuningMethod;
}

/** Copies the job's results.csv to the run and draws the loss curves next to it; returns the artifact names. */
df.app.activity(FETCH_RESULTS, {
  handler: (input: FetchResultsInput) =>
    runActivity(async (): Promise<string[]> => {
      const { openai, storage } = getServices();
      const content = await (await openai.files.content(input.resultFileId)).text();
      const put = (name: string, body: string, type: string) =>
        storage.runs.getBlockBlobClient(runBlobName(input.runId, name)).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: type } });
      let csv: string;
      try {
        csv = decodeResultsFile(content);
      } catch (error) {
        if (!(error instanceof ResultsFileError)) throw error;
        // Kept as served: the model is trained either way, and nothing is lost.
        await put('results.raw', content, 'application/octet-stream');
        return ['results.raw'];
      }
      const svg = renderResultsChart(csv, input.title, input.method);
      await put('results.csv', csv, 'text/csv');
      await put('loss.svg', svg, 'image/svg+xml');
      return ['results.csv', 'loss.svg'];
    }),
});
