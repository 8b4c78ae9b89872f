/**
 * ASP.NET-style route templates as the Functions host accepts them: `runs/{runId}`,
 * `items/{id:int}`, `files/{name?}`, `{*rest}`, `{name}.json`, with the common inline constraints.
 */

export interface CompiledRoute {
  template: string;
  /** Lower sorts first: literal segments beat parameters, catch-alls come last. */
  precedence: number[];
  match(pathname: string): Record<string, string> | undefined;
}

type Constraint = (value: string) => boolean;

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function constraint(spec: string): Constraint {
  const call = /^(\w+)(?:\((.*)\))?$/s.exec(spec);
  if (!call) throw new Error(`Unsupported route constraint "${spec}".`);
  const [, name = '', rawArgs = ''] = call;
  const args = rawArgs.split(',').map((a) => a.trim());
  const num = (i: number): number => Number(args[i]);
  switch (name.toLowerCase()) {
    case 'int':
    case 'long':
      return (v) => /^-?\d+$/.test(v);
    case 'double':
    case 'float':
    case 'decimal':
      return (v) => numberPattern.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'guid':
      return (v) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength':
      return (v) => v.length >= num(0);
    case 'maxlength':
      return (v) => v.length <= num(0);
    case 'length':
      return args.length === 2 ? (v) => v.length >= num(0) && v.length <= num(1) : (v) => v.length === num(0);
    case 'min':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= num(0);
    case 'max':
      return (v) => /^-?\d+$/.test(v) && Number(v) <= num(0);
    case 'range':
      return (v) => /^-?\d+$/.test(v) && Number(v) >= num(0) && Number(v) <= num(1);
    case 'regex': {
      const pattern = new RegExp(rawArgs, 'i');
      return (v) => pattern.test(v);
    }
    default:
      throw new Error(`Unsupported route constraint "${spec}".`);
  }
}

interface Parameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  constraints: Constraint[];
}

function parseParameter(body: string): Parameter {
  const catchAll = body.startsWith('*');
  const text = catchAll ? body.replace(/^\*+/, '') : body;
  const optional = text.endsWith('?');
  const [name = '', ...specs] = (optional ? text.slice(0, -1) : text).split(':');
  return { name, optional, catchAll, constraints: specs.map(constraint) };
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileRoute(template: string): CompiledRoute {
  const cleaned = template.replace(/^\/+|\/+$/g, '');
  const parameters: Parameter[] = [];
  const precedence: number[] = [];
  let source = '^';
  const segments = cleaned === '' ? [] : cleaned.split('/');
  for (const segment of segments) {
    const parts = segment.split(/(\{[^}]+\})/).filter((p) => p !== '');
    const onlyParameter = parts.length === 1 && parts[0]!.startsWith('{');
    let segmentSource = '';
    for (const part of parts) {
      if (!part.startsWith('{')) {
        segmentSource += escapeRegex(part);
        continue;
      }
      const parameter = parseParameter(part.slice(1, -1));
      parameters.push(parameter);
      segmentSource += parameter.catchAll ? '(.*)' : '([^/]+)';
    }
    const first = parts[0] ?? '';
    const parameter = onlyParameter ? parameters[parameters.length - 1] : undefined;
    if (parameter?.catchAll) {
      source += `(?:/${segmentSource})?`;
      precedence.push(4);
    } else if (parameter?.optional) {
      source += `(?:/${segmentSource})?`;
      precedence.push(3);
    } else {
      source += `/${segmentSource}`;
      precedence.push(!first.startsWith('{') && parts.length === 1 ? 0 : parameter && parameter.constraints.length ? 1 : 2);
    }
  }
  const pattern = new RegExp(`${source}$`, 'i');
  return {
    template,
    precedence,
    /** `pathname` is the request path after the route prefix, e.g. `/runs/42` (or `` for the root). */
    match(pathname) {
      const found = pattern.exec(pathname.replace(/\/+$/, ''));
      if (!found) return undefined;
      const values: Record<string, string> = {};
      for (const [i, parameter] of parameters.entries()) {
        const raw = found[i + 1];
        if (raw === undefined || raw === '') {
          if (!parameter.optional && !parameter.catchAll) return undefined;
          continue;
        }
        const value = decodeURIComponent(raw);
        if (!parameter.constraints.every((check) => check(value))) return undefined;
        values[parameter.name] = value;
      }
      return values;
    },
  };
}

/** Sorts routes so the most specific template is tried first, as ASP.NET routing does. */
export function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.precedence[i] ?? -1) - (b.precedence[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}
