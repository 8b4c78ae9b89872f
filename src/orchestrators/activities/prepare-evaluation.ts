import * as df from 'durable-functions';
import { holdOutSlice, parseEvalSet } from '../../evaluation/eval-set.js';
import type { EvalSetSource } from '../../evaluation/evaluation-result.js';
import { runBlobName } from '../../runs/run-store.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const PREPARE_EVALUATION = 'prepareEvaluation';
export interface PrepareEvaluationInput {
  runId: string;
  snapshots: { training: string; validation?: string; eval?: string };
  maxExamples: number;
}
export interface PreparedEvaluation {
  /** The snapshot to upload for training (without the held-out slice, when one was made). */
  trainingSnapshot: string;
  /** Artifacts written (the split files of a held-out slice), relative to the run. */
  artifacts: string[];
  evalSet: EvalSetSource & { examples: number };
}

export const HOLDOUT_SNAPSHOT = 'inputs/training-without-holdout.jsonl';
export const HOLDOUT_SET = 'evaluation-set.jsonl';

async function text(blob: string): Promise<string> {
  return (await getServices().storage.runs.getBlobClient(blob).downloadToBuffer()).toString('utf8');
}

/**
 * Chooses the evaluation set before training starts: `<name>.eval.jsonl`, else the validation
 * file, else a held-out slice of the training file. The slice is cut here, BEFORE upload, so the
 * candidate never trains on the examples that judge it; the report names the lines.
 */
df.app.activity(PREPARE_EVALUATION, {
  handler: (input: PrepareEvaluationInput) =>
    runActivity(async (): Promise<PreparedEvaluation> => {
      const { runs } = getServices().storage;
      const count = async (blob: string): Promise<number> => parseEvalSet(await text(blob), input.maxExamples).examples.length;
      if (input.snapshots.eval) {
        return {
          trainingSnapshot: input.snapshots.training,
          artifacts: [],
          evalSet: { kind: 'eval', blob: input.snapshots.eval, note: 'Prompts and references from the dataset\'s .eval.jsonl file.', examples: await count(input.snapshots.eval) },
        };
      }
      if (input.snapshots.validation) {
        return {
          trainingSnapshot: input.snapshots.training,
          artifacts: [],
          evalSet: { kind: 'validation', blob: input.snapshots.validation, note: 'No .eval.jsonl file: the validation file\'s examples (the last assistant message is the reference).', examples: await count(input.snapshots.validation) },
        };
      }
      const training = await text(input.snapshots.training);
      const slice = holdOutSlice(training, input.maxExamples);
      if (!slice) {
        return {
          trainingSnapshot: input.snapshots.training,
          artifacts: [],
          evalSet: {
            kind: 'training',
            blob: input.snapshots.training,
            note: 'Too few examples to hold any out (the service needs at least 10 to train): the TRAINING examples are used, so scores flatter the candidate. Add a .eval.jsonl file.',
            examples: parseEvalSet(training, input.maxExamples).examples.length,
          },
        };
      }
      const put = async (name: string, body: string): Promise<string> => {
        const blob = runBlobName(input.runId, name);
        await runs.getBlockBlobClient(blob).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: 'application/jsonl' } });
        return blob;
      };
      const trainingSnapshot = await put(HOLDOUT_SNAPSHOT, slice.training);
      const blob = await put(HOLDOUT_SET, slice.heldOut);
      return {
        trainingSnapshot,
        artifacts: [HOLDOUT_SNAPSHOT, HOLDOUT_SET],
        evalSet: {
          kind: 'holdout',
          blob,
          note: `No .eval.jsonl or validation file: the last ${slice.count} example(s) of the training file (from line ${slice.firstLine}) were held out of training and used here.`,
          examples: await count(blob),
        },
      };
    }),
});
