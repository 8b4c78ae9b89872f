/**
 * `POST /openai/v1/fine_tuning/alpha/graders/validate` — Azure's grader check, as its REST reference
 * describes it (learn.microsoft.com/azure/foundry/reference/rest/graders-validate-grader: body
 * `{grader}`, one of string_check | text_similarity | python | score_model | multi; the answer echoes
 * `{grader}`). The route is not in the authoring description in test/fixtures/specs (2025-04-01-preview
 * has no graders path), so this follows the REST reference and the RFT guide
 * (learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning, "Graders").
 *
 * Deliberately its own code, not the app's grader checks: the emulator must be able to disagree
 * with the app. What Azure does beyond the documented shapes (e.g. compiling python) is unknown;
 * the emulator checks the documented shapes only and accepts everything else.
 */
import { invalidPayload } from './errors.js';
import { json, jsonBody, type RequestContext, type Reply } from './http.js';

type Json = Record<string, unknown>;

const OPERATIONS = ['eq', 'ne', 'like', 'ilike'];
/** [REST reference] evaluation_metric enum. */
const METRICS = ['cosine', 'fuzzy_match', 'bleu', 'gleu', 'meteor', 'rouge_1', 'rouge_2', 'rouge_3', 'rouge_4', 'rouge_5', 'rouge_l'];
/** Required string fields per grader type [REST reference]. */
const REQUIRED: Record<string, readonly string[]> = {
  string_check: ['name', 'input', 'reference'],
  text_similarity: ['name', 'input', 'reference'],
  python: ['name', 'source'],
  score_model: ['name', 'model'],
  multi: ['name', 'calculate_output'],
};
/** [RFT guide] "the provided code must be less than 256 kB in size". */
const MAX_PYTHON_SOURCE = 256 * 1024;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws Azure's 400 naming the field when the grader does not have a documented shape. */
export function checkGraderShape(grader: unknown, at = 'grader'): void {
  if (!isObject(grader)) throw invalidPayload(`'${at}' must be an object.`, at);
  const type = grader['type'];
  if (typeof type !== 'string' || !(type in REQUIRED)) {
    throw invalidPayload(`Invalid value ${JSON.stringify(type)} for '${at}.type': expected one of ${Object.keys(REQUIRED).join(', ')}.`, `${at}.type`);
  }
  for (const key of REQUIRED[type]!) {
    if (typeof grader[key] !== 'string' || grader[key] === '') throw invalidPayload(`'${at}.${key}' is required for a ${type} grader.`, `${at}.${key}`);
  }
  if (type === 'string_check' && !OPERATIONS.includes(grader['operation'] as string)) {
    throw invalidPayload(`Invalid value ${JSON.stringify(grader['operation'])} for '${at}.operation': expected one of ${OPERATIONS.join(', ')}.`, `${at}.operation`);
  }
  if (type === 'text_similarity' && !METRICS.includes(grader['evaluation_metric'] as string)) {
    throw invalidPayload(`Invalid value ${JSON.stringify(grader['evaluation_metric'])} for '${at}.evaluation_metric'.`, `${at}.evaluation_metric`);
  }
  if (type === 'python' && Buffer.byteLength(grader['source'] as string) >= MAX_PYTHON_SOURCE) {
    throw invalidPayload(`'${at}.source' must be less than 256 kB.`, `${at}.source`);
  }
  if (type === 'score_model' && (!Array.isArray(grader['input']) || grader['input'].length === 0)) {
    throw invalidPayload(`'${at}.input' must be a non-empty list of messages.`, `${at}.input`);
  }
  if (type === 'multi') {
    const graders = grader['graders'];
    if (!isObject(graders) || Object.keys(graders).length === 0) throw invalidPayload(`'${at}.graders' must be an object of named graders.`, `${at}.graders`);
    for (const [name, child] of Object.entries(graders)) checkGraderShape(child, `${at}.graders.${name}`);
  }
}

export function validateGrader(ctx: RequestContext): Reply {
  const body = jsonBody(ctx);
  if (body['grader'] === undefined) throw invalidPayload("'grader' is required.", 'grader');
  checkGraderShape(body['grader']);
  return json(200, { grader: body['grader'] });
}
