/**
 * The official Azure API descriptions (test/fixtures/specs: unchanged copies, see its SOURCES.md) as validators: ajv
 * compiles each operation's request and response schemas straight out of the Swagger 2.0 files,
 * resolving `$ref`s across files by their URLs (the ARM description refers into ARM's common
 * types.json and privatelinks.json). Nothing here restates a schema by hand, except the v1 of
 * ARM's async-operation status, which lives in types.json as OperationStatusResult.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from '../support/paths.js';

export const SPECS_ROOT = path.join(REPO_ROOT, 'test/fixtures/specs');
const BASE = 'https://specs.invalid/';

export const AOAI_SPEC = 'specification/cognitiveservices/data-plane/AzureOpenAI/authoring/preview/2025-04-01-preview/azureopenai.json';
export const ARM_SPEC = 'specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json';
export const ARM_TYPES = 'specification/common-types/resource-management/v2/types.json';
const PRIVATE_LINKS = 'specification/common-types/resource-management/v2/privatelinks.json';

type Json = Record<string, any>;

export function readSpec(file: string): Json {
  return JSON.parse(readFileSync(path.join(SPECS_ROOT, file), 'utf8')) as Json;
}

/** The examples folder of a description, by file name. */
export function readExample(specFile: string, name: string): Json {
  return readSpec(path.posix.join(path.posix.dirname(specFile), 'examples', name));
}

export interface Operation {
  spec: string;
  /** The path template as the description writes it (data plane: relative to `{endpoint}/openai`). */
  template: string;
  method: string;
  operationId: string;
  definition: Json;
  pattern: RegExp;
  pathParams: string[];
}

export interface Violation {
  where: string;
  errors: string;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params && 'allowedValues' in e.params ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : ''}`).join('; ');
}

export class Descriptions {
  readonly ajv: Ajv;
  readonly specs: Record<string, Json>;
  readonly operations: Operation[] = [];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    // Swagger 2.0 schemas are JSON Schema draft 4 plus x-ms-* extensions and a few formats of its own.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, discriminator: false });
    this.specs = {};
    for (const file of [AOAI_SPEC, ARM_SPEC, ARM_TYPES, PRIVATE_LINKS]) {
      const spec = readSpec(file);
      this.specs[file] = spec;
      this.ajv.addSchema(spec, BASE + file);
    }
    for (const file of [AOAI_SPEC, ARM_SPEC]) {
      for (const [template, item] of Object.entries(this.specs[file]!['paths'] as Json)) {
        for (const [method, definition] of Object.entries(item as Json)) {
          if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
          const pathParams: string[] = [];
          const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, name: string) => {
            pathParams.push(name);
            return '([^/]+)';
          });
          const prefix = file === AOAI_SPEC ? '/openai' : '';
          this.operations.push({ spec: file, template, method: method.toUpperCase(), operationId: (definition as Json)['operationId'], definition: definition as Json, pattern: new RegExp(`^${prefix}${source}$`, 'i'), pathParams });
        }
      }
    }
  }

  /** The operation a request addresses (literal segments beat parameters: /files/import before /files/{file-id}). */
  find(method: string, pathname: string): Operation | undefined {
    const candidates = this.operations.filter((o) => o.method === method && o.pattern.test(pathname));
    return candidates.sort((a, b) => a.pathParams.length - b.pathParams.length)[0];
  }

  byId(operationId: string): Operation {
    const op = this.operations.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`no operation ${operationId} in the descriptions`);
    return op;
  }

  /** A validator for the schema at a JSON pointer of a description. */
  validator(spec: string, pointer: string): ValidateFunction {
    const ref = `${BASE}${spec}#${pointer}`;
    let fn = this.cache.get(ref);
    if (!fn) {
      fn = this.ajv.compile({ $ref: ref });
      this.cache.set(ref, fn);
    }
    return fn;
  }

  private pointer(op: Operation, ...rest: string[]): string {
    const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
    return `/paths/${escape(op.template)}/${op.method.toLowerCase()}/${rest.map(escape).join('/')}`;
  }

  private parameters(op: Operation): Json[] {
    const spec = this.specs[op.spec]!;
    const resolve = (p: Json): Json => {
      const ref = p['$ref'] as string | undefined;
      if (!ref) return p;
      const [file, fragment] = ref.split('#');
      const target = file ? this.specs[path.posix.normalize(path.posix.join(path.posix.dirname(op.spec), file))] : spec;
      return (fragment ?? '').split('/').filter(Boolean).reduce<Json>((node, key) => node[key], target ?? {});
    };
    return ((op.definition['parameters'] ?? []) as Json[]).map(resolve);
  }

  /** Checks a request against the operation: required query/path/form parameters and the JSON body schema. */
  checkRequest(op: Operation, url: URL, body: Buffer | undefined, contentType: string | undefined): string[] {
    const problems: string[] = [];
    const parameters = this.parameters(op);
    for (const p of parameters) {
      if (p['in'] === 'query') {
        const value = url.searchParams.get(p['name']);
        if (p['required'] && value === null) problems.push(`query parameter '${p['name']}' is required`);
        if (value !== null && Array.isArray(p['enum']) && !p['enum'].includes(value)) problems.push(`query '${p['name']}'='${value}' is not one of ${p['enum'].join(', ')}`);
      }
      if (p['in'] === 'formData' && p['required']) {
        const text = body?.toString('latin1') ?? '';
        if (!contentType?.startsWith('multipart/form-data') || !text.includes(`name="${p['name']}"`)) problems.push(`form field '${p['name']}' is required`);
      }
      if (p['in'] === 'body') {
        const index = ((op.definition['parameters'] ?? []) as Json[]).findIndex((q) => q === p || q['$ref'] === undefined && q['name'] === p['name']);
        if (!body || body.length === 0) {
          if (p['required']) problems.push(`body '${p['name']}' is required`);
          continue;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          problems.push('body is not JSON');
          continue;
        }
        const validate = this.validator(op.spec, this.pointer(op, 'parameters', String(index), 'schema'));
        if (!validate(parsed)) problems.push(`body: ${describeErrors(validate.errors)}`);
      }
    }
    return problems;
  }

  /** Checks a response's status and body against the operation's responses (`default` for errors). */
  checkResponse(op: Operation, status: number, body: unknown): string[] {
    const responses = op.definition['responses'] as Json;
    const key = String(status) in responses ? String(status) : status >= 400 && 'default' in responses ? 'default' : undefined;
    if (!key) return [`status ${status} is not among the documented responses (${Object.keys(responses).join(', ')})`];
    const schema = responses[key]['schema'] as Json | undefined;
    if (!schema || schema['type'] === 'file') return [];
    const validate = this.validator(op.spec, this.pointer(op, 'responses', key, 'schema'));
    return validate(body) ? [] : [`${status} body: ${describeErrors(validate.errors)}`];
  }

  /** A definition's validator (e.g. ARM's OperationStatusResult in types.json). */
  definition(spec: string, name: string): ValidateFunction {
    return this.validator(spec, `/definitions/${name}`);
  }
}

export function explain(validate: ValidateFunction): string {
  return describeErrors(validate.errors);
}
