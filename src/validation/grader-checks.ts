/**
 * `<name>.grader.json`: the grader of a reinforcement fine-tuning run, checked before anything is
 * uploaded. Grader shapes follow Azure's RFT guide
 * (learn.microsoft.com/azure/ai-foundry/openai/how-to/reinforcement-fine-tuning, "Graders") and
 * the graders validate endpoint's request body
 * (learn.microsoft.com/azure/foundry/reference/rest/graders-validate-grader:
 * `POST /openai/v1/fine_tuning/alpha/graders/validate`, grader = string_check | text_similarity |
 * python | score_model | multi). The schema is JSON Schema checked by Ajv, so every problem comes
 * with the path of the field it is about.
 *
 * Where the two sources differ the schema takes the more permissive reading (Azure decides):
 * `pass_threshold` of text_similarity is optional (the guide's multigrader example omits it) and
 * the `cosine` metric is accepted (the API reference lists it, the guide does not).
 */
import { Ajv, type ErrorObject } from 'ajv';
import { isObject, type Json } from './example-checks.js';
import type { Finding } from './findings.js';
import { valueAt } from './rft-checks.js';

export const GRADER_TYPES = ['string_check', 'text_similarity', 'score_model', 'python', 'multi'] as const;
/** [RFT guide] "the provided code must be less than 256 kB in size". */
export const MAX_PYTHON_SOURCE_BYTES = 256 * 1024;
/** [RFT guide] "The following models can be used as model graders". Others get a warning, not an error. */
export const DOCUMENTED_GRADER_MODELS = ['gpt-4o-2024-08-06', 'o3-mini-2025-01-31'];
/** [RFT guide] multigrader `calculate_output` functions. */
const FUNCTIONS = new Set(['min', 'max', 'abs', 'floor', 'ceil', 'exp', 'sqrt', 'log']);
/** `sample` fields the guide documents; others are warned about. */
const SAMPLE_FIELDS = new Set(['output_text', 'output_json', 'output_tools', 'choices']);

const text = { type: 'string' } as const;
const GRADER_SCHEMA = {
  $id: 'grader',
  definitions: {
    string_check: {
      type: 'object',
      properties: { type: { const: 'string_check' }, name: text, input: text, reference: text, operation: { enum: ['eq', 'ne', 'like', 'ilike'] } },
      required: ['type', 'name', 'input', 'reference', 'operation'],
      additionalProperties: false,
    },
    text_similarity: {
      type: 'object',
      properties: {
        type: { const: 'text_similarity' },
        name: text,
        input: text,
        reference: text,
        pass_threshold: { type: 'number' },
        evaluation_metric: { enum: ['cosine', 'fuzzy_match', 'bleu', 'gleu', 'meteor', 'rouge_1', 'rouge_2', 'rouge_3', 'rouge_4', 'rouge_5', 'rouge_l'] },
      },
      required: ['type', 'name', 'input', 'reference', 'evaluation_metric'],
      additionalProperties: false,
    },
    score_model: {
      type: 'object',
      properties: {
        type: { const: 'score_model' },
        name: text,
        model: text,
        input: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: { type: { const: 'message' }, role: { enum: ['system', 'developer', 'user', 'assistant'] }, content: { type: ['string', 'object', 'array'] } },
            required: ['role', 'content'],
            additionalProperties: false,
          },
        },
        pass_threshold: { type: 'number' },
        range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
        sampling_params: { type: 'object' },
      },
      required: ['type', 'name', 'input', 'model'],
      additionalProperties: false,
    },
    python: {
      type: 'object',
      properties: { type: { const: 'python' }, name: text, source: text, image_tag: text, pass_threshold: { type: 'number' } },
      required: ['type', 'name', 'source'],
      additionalProperties: false,
    },
    multi: {
      type: 'object',
      properties: {
        type: { const: 'multi' },
        name: text,
        graders: { type: 'object', minProperties: 1, additionalProperties: { $ref: '#/definitions/grader' } },
        calculate_output: text,
      },
      required: ['type', 'name', 'graders', 'calculate_output'],
      additionalProperties: false,
    },
    grader: {
      type: 'object',
      required: ['type'],
      discriminator: { propertyName: 'type' },
      oneOf: GRADER_TYPES.map((t) => ({ $ref: `#/definitions/${t}` })),
    },
  },
  $ref: '#/definitions/grader',
};

const ajv = new Ajv({ allErrors: true, discriminator: true, strict: false });
const validateSchema = ajv.compile(GRADER_SCHEMA);

export interface GraderReport {
  path: string;
  valid: boolean;
  /** The top-level grader type, when the file holds one. */
  type?: string;
  errors: Finding[];
  warnings: Finding[];
  /** `{{ item.x }}` references, as paths, that every training and validation line must have. */
  itemPaths: string[][];
  /** What the local dry run did and found. */
  dryRun: string[];
}

type Grader = Json & { type: string };

export interface ParsedGrader {
  report: GraderReport;
  grader?: Grader;
}

/** Parses and checks a grader file's text; never throws. */
export function checkGrader(path: string, content: string): ParsedGrader {
  const report: GraderReport = { path, valid: true, errors: [], warnings: [], itemPaths: [], dryRun: [] };
  const error = (message: string, field?: string): void => {
    report.errors.push({ line: null, code: 'grader_invalid', message, ...(field ? { field } : {}) });
  };
  const warn = (message: string, field?: string): void => {
    report.warnings.push({ line: null, code: 'grader_reference', message, ...(field ? { field } : {}) });
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (e) {
    error(`the grader file is not valid JSON: ${(e as Error).message}`);
    return finish(report);
  }
  if (!isObject(parsed)) {
    error('the grader file must hold one JSON object: {"type": "string_check" | "text_similarity" | "score_model" | "python" | "multi", …}');
    return finish(report);
  }
  if (typeof parsed['type'] === 'string') report.type = parsed['type'];
  if (!validateSchema(parsed)) {
    for (const e of simplify(validateSchema.errors ?? [])) error(e.message, e.field);
    return finish(report);
  }
  const grader = parsed as Grader;
  const seen = new Map<string, string[]>();
  walk(grader, '', (node, at) => {
    for (const [key, value] of templateStrings(node)) {
      for (const ref of templateRefs(value)) {
        const field = `${at}${key}`;
        if (ref.namespace === 'item') {
          if (ref.path.length === 0) error('{{ item }} needs a field: {{ item.answer }}', field);
          else seen.set(ref.path.join('.'), ref.path);
        } else if (ref.namespace === 'sample') {
          if (ref.path.length > 0 && !SAMPLE_FIELDS.has(ref.path[0]!)) {
            warn(`{{ sample.${ref.path.join('.')} }} is not a documented sample field (${[...SAMPLE_FIELDS].join(', ')})`, field);
          }
        } else {
          error(`{{ ${ref.raw} }}: template references use the item or sample namespace ({{ item.answer }}, {{ sample.output_text }})`, field);
        }
      }
    }
    if (node.type === 'python') {
      const source = node['source'] as string;
      if (Buffer.byteLength(source) >= MAX_PYTHON_SOURCE_BYTES) error(`python source is ${Buffer.byteLength(source)} bytes; Azure runs at most 256 kB`, `${at}source`);
      if (!/\bdef\s+grade\s*\(/.test(source)) error('python source must define grade(sample, item)', `${at}source`);
    }
    if (node.type === 'score_model' && !DOCUMENTED_GRADER_MODELS.includes(node['model'] as string)) {
      warn(`model ${JSON.stringify(node['model'])} is not one Azure documents for model graders (${DOCUMENTED_GRADER_MODELS.join(', ')})`, `${at}model`);
    }
    if (node.type === 'score_model' && Array.isArray(node['range'])) {
      const [low, high] = node['range'] as number[];
      if (!(low! < high!)) error(`range must be [low, high] with low < high, got ${JSON.stringify(node['range'])}`, `${at}range`);
    }
    if (node.type === 'multi') checkFormula(node, at, error);
  });
  report.itemPaths = [...seen.values()];
  return { ...finish(report), grader };
}

function finish(report: GraderReport): ParsedGrader {
  report.valid = report.errors.length === 0;
  return { report };
}

/** Visits a grader and the graders nested in a multigrader, with each one's field prefix. */
function walk(grader: Grader, at: string, visit: (node: Grader, at: string) => void): void {
  visit(grader, at);
  if (grader.type === 'multi') {
    for (const [key, child] of Object.entries(grader['graders'] as Record<string, Grader>)) walk(child, `${at}graders.${key}.`, visit);
  }
}

/** The string fields of one grader that may hold templates, with their relative field names. */
function templateStrings(node: Grader): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of ['input', 'reference']) if (typeof node[key] === 'string') out.push([key, node[key] as string]);
  if (Array.isArray(node['input'])) {
    (node['input'] as Json[]).forEach((message, i) => {
      const content = message['content'];
      if (typeof content === 'string') out.push([`input[${i}].content`, content]);
      else out.push([`input[${i}].content`, JSON.stringify(content)]);
    });
  }
  return out;
}

export interface TemplateRef {
  raw: string;
  namespace: string;
  path: string[];
}

/** `{{ namespace.a.b }}` / `{{ namespace.a[0] }}` references in a template string. */
export function templateRefs(template: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  for (const match of template.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    const raw = match[1]!;
    const parts = raw.replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '');
    refs.push({ raw, namespace: parts[0] ?? '', path: parts.slice(1) });
  }
  return refs;
}

/** `calculate_output`: grader names, numbers, + - * / ^ ( ) , and the documented functions. */
function checkFormula(node: Grader, at: string, error: (message: string, field?: string) => void): void {
  const formula = node['calculate_output'] as string;
  const names = new Set(Object.keys(node['graders'] as Json));
  const tokens = formula.match(/[A-Za-z_][A-Za-z0-9_-]*|\d+(?:\.\d+)?|\S/g) ?? [];
  if (tokens.length === 0) error('calculate_output is empty', `${at}calculate_output`);
  for (const token of tokens) {
    if (/^[A-Za-z_]/.test(token)) {
      if (!names.has(token) && !FUNCTIONS.has(token)) {
        error(`calculate_output uses "${token}", which is neither one of the graders (${[...names].join(', ')}) nor a function (${[...FUNCTIONS].join(', ')})`, `${at}calculate_output`);
      }
    } else if (!/^\d/.test(token) && !'+-*/^(),'.includes(token)) {
      error(`calculate_output has "${token}"; allowed are + - * / ^ ( ) and numbers`, `${at}calculate_output`);
    }
  }
}

/** Ajv's errors, reduced to one clear message per problem, with dotted field paths. */
function simplify(errors: readonly ErrorObject[]): Array<{ message: string; field: string }> {
  // A failed discriminated oneOf repeats the branch's errors; the branch errors say more.
  const useful = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
  const out = new Map<string, { message: string; field: string }>();
  for (const e of useful) {
    const base = e.instancePath.split('/').filter(Boolean).join('.');
    let field = base;
    let message: string;
    switch (e.keyword) {
      case 'required':
        field = join(base, String(e.params['missingProperty']));
        message = `missing "${String(e.params['missingProperty'])}"`;
        break;
      case 'additionalProperties':
        field = join(base, String(e.params['additionalProperty']));
        message = `unknown key "${String(e.params['additionalProperty'])}"`;
        break;
      case 'enum':
        message = `must be one of ${(e.params['allowedValues'] as unknown[]).map(String).join(', ')}`;
        break;
      case 'discriminator':
        field = join(base, 'type');
        message = `"type" must be one of ${GRADER_TYPES.join(', ')}`;
        break;
      default:
        message = e.message ?? e.keyword;
    }
    out.set(`${field}|${message}`, { field, message: `${field || 'grader'}: ${message}` });
  }
  return [...out.values()];
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

// ---------------------------------------------------------------------------------------------
// Dry run: the graders that can run locally, on the first few lines.

/** Renders a template with an item and a sample; unknown references render as ''. */
export function render(template: string, item: Json, sample: Json): string {
  return template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, raw: string) => {
    const [ref] = templateRefs(`{{${raw}}}`);
    const value = ref?.namespace === 'item' ? valueAt(item, ref.path) : ref?.namespace === 'sample' ? valueAt(sample, ref.path) : undefined;
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** string_check as the guide defines it: eq / ne case-sensitive, like contains, ilike contains ignoring case. */
export function stringCheck(operation: string, input: string, reference: string): number {
  switch (operation) {
    case 'eq':
      return input === reference ? 1 : 0;
    case 'ne':
      return input !== reference ? 1 : 0;
    case 'like':
      return input.includes(reference) ? 1 : 0;
    case 'ilike':
      return input.toLowerCase().includes(reference.toLowerCase()) ? 1 : 0;
    default:
      return Number.NaN;
  }
}

/**
 * fuzzy_match as RapidFuzz's `fuzz.ratio` / 100 (the guide names RapidFuzz): the normalized Indel
 * similarity, 1 - (insertions + deletions) / (len(a) + len(b)), from the longest common subsequence.
 */
export function fuzzyMatch(a: string, b: string): number {
  if (a.length + b.length === 0) return 1;
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  const lcs = previous[b.length]!;
  return (2 * lcs) / (a.length + b.length);
}

/**
 * Runs string_check and text_similarity (fuzzy_match) graders on a few items with two made-up
 * samples: one whose output is what the grader's reference renders to (a perfect answer), and an
 * empty one. A grader under which a perfect answer does not score full marks, or an empty answer
 * scores full marks, cannot teach anything; so can't a reference that renders empty.
 */
export function dryRun(grader: Grader, items: ReadonlyArray<{ line: number; item: Json }>, report: GraderReport): void {
  const warn = (message: string, line: number, field?: string): void => {
    report.warnings.push({ line, code: 'grader_dry_run', message, ...(field ? { field } : {}) });
  };
  const runnable: Array<{ node: Grader; at: string }> = [];
  walk(grader, '', (node, at) => {
    if (node.type === 'string_check' || node.type === 'text_similarity') runnable.push({ node, at });
  });
  if (runnable.length === 0) {
    report.dryRun.push(`not run: ${grader.type} graders run only in Azure (the graders validate endpoint and the training job check them)`);
    return;
  }
  if (items.length === 0) {
    report.dryRun.push('not run: no line without errors to run it on');
    return;
  }
  for (const { node, at } of runnable) {
    const inputTemplate = node['input'] as string;
    if (!templateRefs(inputTemplate).some((r) => r.namespace === 'sample')) {
      warn(`the grader's input never reads the model's output ({{ sample.output_text }}): every answer gets the same score`, items[0]!.line, `${at}input`);
      continue;
    }
    const metric = node.type === 'text_similarity' ? (node['evaluation_metric'] as string) : undefined;
    if (metric !== undefined && metric !== 'fuzzy_match') {
      report.dryRun.push(`${at}${node['name'] as string}: ${metric} is not computed locally`);
      continue;
    }
    const scores: string[] = [];
    for (const { line, item } of items) {
      const reference = render(node['reference'] as string, item, {});
      if (reference === '') {
        warn(`the reference renders empty for this line (${JSON.stringify(node['reference'])})`, line, `${at}reference`);
        continue;
      }
      const score = (answer: string): number => {
        const sample = { output_text: answer, output_json: parseJson(answer) };
        const input = render(inputTemplate, item, sample);
        const ref = render(node['reference'] as string, item, sample);
        return node.type === 'string_check' ? stringCheck(node['operation'] as string, input, ref) : fuzzyMatch(input, ref);
      };
      const perfect = score(reference);
      const empty = score('');
      const threshold = typeof node['pass_threshold'] === 'number' ? (node['pass_threshold'] as number) : undefined;
      if (node['operation'] === 'ne') {
        scores.push(`line ${line}: answer = reference → ${perfect}`);
        continue;
      }
      if (perfect < 1) warn(`an answer equal to the reference scores ${round(perfect)}, not 1`, line, at || undefined);
      if (empty >= 1) warn('an empty answer scores 1: the grader rewards anything', line, at || undefined);
      if (threshold !== undefined && perfect < threshold) warn(`an answer equal to the reference scores ${round(perfect)}, below pass_threshold ${threshold}`, line, `${at}pass_threshold`);
      scores.push(`line ${line}: answer = reference → ${round(perfect)}, empty answer → ${round(empty)}`);
    }
    if (scores.length > 0) report.dryRun.push(`${at}${node['name'] as string} (${node.type}${metric ? ` ${metric}` : ` ${node['operation'] as string}`}): ${scores.join('; ')}`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
