import * as df from 'durable-functions';
import { AliasStore } from '../../aliases/alias-store.js';
import { parseEvalSet } from '../../evaluation/eval-set.js';
import { evaluateContenders, metricScore, type Ask } from '../../evaluation/evaluate.js';
import { checkpointRole, runWinner } from '../../evaluation/checkpoints.js';
import type { Contender, EvalSetSource, EvaluationResult, EvaluationSummary } from '../../evaluation/evaluation-result.js';
import { graderName } from '../../evaluation/graders.js';
import { decidePromotion, type PromotionOptions } from '../../evaluation/promotion.js';
import { renderEvaluationChart, renderEvaluationMarkdown } from '../../evaluation/report.js';
import { runBlobName } from '../../runs/run-store.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const EVALUATE_CANDIDATE = 'evaluateCandidate';
export interface EvaluateCandidateInput {
  runId: string;
  alias: string;
  candidate: { deployment: string; model: string };
  /** The run's deployed checkpoints (option `promotion.checkpoints`), newest first; each competes with the candidate. */
  checkpoints?: Array<{ deployment: string; model: string; step: number; name: string }>;
  /** Checkpoints chosen but not evaluated (no deployment slot, refused): reported, not fatal. */
  skippedCheckpoints?: Array<{ step: number; reason: string }>;
  evalSet: EvalSetSource;
  promotion: PromotionOptions;
  at: string;
}

export const EVALUATION_ARTIFACTS = ['evaluation.json', 'evaluation.md', 'evaluation.svg'] as const;

/**
 * The evaluation gate: the candidate, the alias's champion (if any) and optionally a base-model
 * deployment answer every prompt of the evaluation set; the graders score the answers; the
 * promotion rule decides. Writes evaluation.json (every example), evaluation.md and a chart.
 */
df.app.activity(EVALUATE_CANDIDATE, {
  handler: (input: EvaluateCandidateInput) =>
    runActivity(async (): Promise<EvaluationSummary> => {
      const { openai, storage } = getServices();
      const champion = await new AliasStore(storage.runs).getAlias(input.alias);
      const contenders: Contender[] = [{ role: 'candidate', deployment: input.candidate.deployment, model: input.candidate.model, runId: input.runId }];
      for (const c of input.checkpoints ?? []) {
        contenders.push({ role: checkpointRole(c.step), deployment: c.deployment, model: c.model, runId: input.runId, step: c.step, checkpoint: c.name });
      }
      if (champion && champion.current.deploymentName !== input.candidate.deployment) {
        contenders.push({ role: 'champion', deployment: champion.current.deploymentName, model: champion.current.model, runId: champion.current.runId });
      }
      if (input.promotion.baseDeployment) contenders.push({ role: 'base', deployment: input.promotion.baseDeployment });

      const text = (await storage.runs.getBlobClient(input.evalSet.blob).downloadToBuffer()).toString('utf8');
      const { examples, problems } = parseEvalSet(text, input.promotion.maxExamples);
      const ask: Ask = async (deployment, messages, maxTokens) => {
        const completion = await openai.chat.completions.create({ model: deployment, messages: messages as never, max_tokens: maxTokens, temperature: 0 });
        return completion.choices[0]?.message.content ?? '';
      };
      const graded = await evaluateContenders(examples, contenders, input.promotion.graders, ask);
      const hasChampion = contenders.some((c) => c.role === 'champion');
      // The run's own contenders (final model first, then checkpoints): the best one meets the champion.
      const { score: best, winner } = runWinner(contenders, graded.aggregates, input.promotion.metric, examples.length > 0);
      const decision = decidePromotion({
        mode: input.promotion.mode,
        metric: input.promotion.metric,
        minImprovement: input.promotion.minImprovement,
        candidate: best,
        ...(hasChampion ? { champion: metricScore(graded.aggregates, 'champion', input.promotion.metric) ?? null } : {}),
      });
      const result: EvaluationResult = {
        set: { ...input.evalSet, examples: examples.length, skippedLines: problems },
        graders: input.promotion.graders.map(graderName),
        metric: input.promotion.metric,
        contenders,
        aggregates: graded.aggregates,
        examples: graded.examples,
        decision,
        ...(winner ? { winner } : {}),
        ...(input.skippedCheckpoints?.length ? { skippedCheckpoints: input.skippedCheckpoints } : {}),
        evaluatedAt: input.at,
      };
      const put = async (name: string, body: string, type: string): Promise<void> => {
        await storage.runs.getBlockBlobClient(runBlobName(input.runId, name)).upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: type } });
      };
      await put('evaluation.json', `${JSON.stringify(result, null, 2)}\n`, 'application/json');
      await put('evaluation.md', renderEvaluationMarkdown(result, `${input.alias} — ${input.candidate.model}`), 'text/markdown');
      await put('evaluation.svg', renderEvaluationChart(result), 'image/svg+xml');
      return {
        set: { kind: input.evalSet.kind, blob: input.evalSet.blob, note: input.evalSet.note, examples: examples.length },
        metric: result.metric,
        aggregates: result.aggregates,
        contenders,
        decision,
        ...(winner ? { winner } : {}),
        artifacts: [...EVALUATION_ARTIFACTS],
      };
    }),
});
