/**
 * Reading infra/*.bicep as a parse tree, for test/unit/infra.test.ts. The grammar is the
 * tree-sitter Bicep grammar (npm `tree-sitter-bicep`, its shipped WebAssembly build) run by
 * `web-tree-sitter`: no native build, no Bicep CLI. Every check here reads nodes, never text, so
 * a comment cannot satisfy or hide anything (`allowSharedKeyAccess: true // false` is `true`), and
 * every check is a pure function of the files so the tests can show it fails on a broken copy.
 * Each problem is one line: `file:line: what is wrong`.
 */
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

export interface BicepFile {
  path: string;
  root: Node;
}

let parser: Parser | undefined;

/** Loads the grammar once; call before parseBicep. */
export async function initBicepParser(): Promise<void> {
  if (parser) return;
  await Parser.init();
  const wasm = createRequire(import.meta.url).resolve('tree-sitter-bicep/tree-sitter-bicep.wasm');
  const language = await Language.load(wasm);
  parser = new Parser();
  parser.setLanguage(language);
}

export function parseBicep(path: string, text: string): BicepFile {
  if (!parser) throw new Error('call initBicepParser() first');
  const tree = parser.parse(text);
  if (!tree) throw new Error(`${path}: the parser returned no tree`);
  return { path, root: tree.rootNode };
}

export const lineOf = (node: Node): number => node.startPosition.row + 1;
const at = (file: BicepFile, node: Node): string => `${file.path}:${lineOf(node)}`;

/** Syntax errors: the grammar's ERROR and MISSING nodes. */
export function syntaxProblems(file: BicepFile): string[] {
  const problems: string[] = [];
  const walk = (node: Node): void => {
    if (node.type === 'ERROR') problems.push(`${at(file, node)}: syntax error at '${node.text.split('\n')[0]?.slice(0, 40)}'`);
    else if (node.isMissing) problems.push(`${at(file, node)}: syntax error: missing ${node.type}`);
    else for (const child of node.children) walk(child);
  };
  walk(file.root);
  return problems;
}

/** The value of a string literal without interpolation; undefined for anything else. */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  const parts = node.namedChildren;
  if (parts.some((p) => p.type !== 'string_content' && p.type !== 'escape_sequence')) return undefined;
  return parts.map((p) => p.text).join('');
}

/** The key of an object property: identifier or quoted string. */
function propertyKey(property: Node): string | undefined {
  const key = property.namedChildren[0];
  if (!key) return undefined;
  return key.type === 'identifier' ? key.text : stringValue(key);
}

/** Properties of an object node, key → value node, in order (comments skipped). */
export function objectProperties(node: Node | null | undefined): Array<{ key: string; keyNode: Node; value: Node }> {
  if (!node || node.type !== 'object') return [];
  const result: Array<{ key: string; keyNode: Node; value: Node }> = [];
  for (const property of node.namedChildren) {
    if (property.type !== 'object_property') continue;
    const key = propertyKey(property);
    const [keyNode, value] = property.namedChildren.filter((c) => c.type !== 'comment');
    if (key !== undefined && keyNode && value) result.push({ key, keyNode, value });
  }
  return result;
}

export function property(node: Node | null | undefined, ...path: string[]): Node | undefined {
  let current: Node | undefined = node ?? undefined;
  for (const key of path) current = objectProperties(current).find((p) => p.key === key)?.value;
  return current;
}

/** The object a resource/module body evaluates to, through `if (...) {}` and `[for ...: {}]`. */
export function bodyObject(node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  if (node.type === 'object') return node;
  if (node.type === 'if_statement' || node.type === 'for_statement') {
    return bodyObject(node.namedChildren.find((c) => c.type === 'object' || c.type === 'if_statement'));
  }
  return undefined;
}

export interface ResourceDecl {
  file: BicepFile;
  node: Node;
  symbol: string;
  type: string;
  apiVersion: string;
  existing: boolean;
  body: Node | undefined;
}

export function resources(file: BicepFile): ResourceDecl[] {
  return file.root.namedChildren
    .filter((n) => n.type === 'resource_declaration')
    .map((node) => {
      const [symbol, typeNode] = node.namedChildren;
      const [type = '', apiVersion = ''] = (stringValue(typeNode) ?? '').split('@');
      return {
        file,
        node,
        symbol: symbol?.text ?? '',
        type,
        apiVersion,
        existing: node.children.some((c) => !c.isNamed && c.type === 'existing'),
        body: bodyObject(node.namedChildren.at(-1)),
      };
    });
}

export interface ModuleDecl {
  file: BicepFile;
  node: Node;
  symbol: string;
  source: string;
  body: Node | undefined;
}

export function modules(file: BicepFile): ModuleDecl[] {
  return file.root.namedChildren
    .filter((n) => n.type === 'module_declaration')
    .map((node) => {
      const [symbol, source] = node.namedChildren;
      return { file, node, symbol: symbol?.text ?? '', source: stringValue(source) ?? '', body: bodyObject(node.namedChildren.at(-1)) };
    });
}

export interface Declaration {
  kind: 'param' | 'var';
  node: Node;
  /** Default (param) or value (var) expression. */
  value: Node | undefined;
  /** The param's declared type (`string`, `bool`, ...). */
  type?: string;
  secure: boolean;
  /** Values of an `@allowed([...])` decorator. */
  allowed?: string[];
}

/** Top-level `param` and `var` declarations with their decorators (the preceding `decorators` node). */
export function declarations(file: BicepFile): Map<string, Declaration> {
  const result = new Map<string, Declaration>();
  const children = file.root.namedChildren;
  children.forEach((node, index) => {
    if (node.type !== 'parameter_declaration' && node.type !== 'variable_declaration') return;
    const named = node.namedChildren.filter((c) => c.type !== 'comment');
    const name = named[0]?.text ?? '';
    const isParam = node.type === 'parameter_declaration';
    const typeNode = isParam ? named.find((c) => c.type === 'type') : undefined;
    const value = isParam ? named.slice(1).find((c) => c.type !== 'type') : named[1];
    const previous = children[index - 1];
    const decorators = previous?.type === 'decorators' ? previous.namedChildren.map((d) => d.namedChildren[0]).filter((d): d is Node => !!d) : [];
    const call = (name: string): Node | undefined => decorators.find((d) => d.type === 'call_expression' && d.namedChildren[0]?.text === name);
    const allowedArray = call('allowed')?.namedChildren[1]?.namedChildren[0];
    const allowed = allowedArray?.type === 'array' ? allowedArray.namedChildren.map((v) => stringValue(v)).filter((v): v is string => v !== undefined) : undefined;
    result.set(name, {
      kind: isParam ? 'param' : 'var',
      node,
      value,
      ...(typeNode ? { type: typeNode.text } : {}),
      secure: call('secure') !== undefined,
      ...(allowed ? { allowed } : {}),
    });
  });
  return result;
}

export const outputs = (file: BicepFile): string[] =>
  file.root.namedChildren.filter((n) => n.type === 'output_declaration').map((n) => n.namedChildren[0]?.text ?? '');

// ---------------------------------------------------------------------------------------------
// Resource types and API versions

export interface ApiVersionSource {
  versions: readonly string[];
  source: string;
}

export function apiVersionProblems(files: readonly BicepFile[], known: Readonly<Record<string, ApiVersionSource>>): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const r of resources(file)) {
      const entry = known[r.type];
      if (!entry) problems.push(`${at(file, r.node)}: resource type ${r.type} is not in the checked list`);
      else if (!entry.versions.includes(r.apiVersion)) problems.push(`${at(file, r.node)}: ${r.type}@${r.apiVersion} is not a known API version (checked: ${entry.versions.join(', ')})`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Property names and enum values

export type Shape =
  | { kind: 'object'; props: Readonly<Record<string, Shape>>; readOnly?: boolean; additional?: boolean }
  | { kind: 'enum'; values: readonly string[]; readOnly?: boolean }
  | { kind: 'string' | 'bool' | 'int' | 'any'; readOnly?: boolean }
  | { kind: 'array'; items: Shape; readOnly?: boolean };

export const S: Shape = { kind: 'string' };
export const B: Shape = { kind: 'bool' };
export const I: Shape = { kind: 'int' };
export const ANY: Shape = { kind: 'any' };
export const obj = (props: Record<string, Shape>): Shape => ({ kind: 'object', props });
export const dict = (): Shape => ({ kind: 'object', props: {}, additional: true });
export const en = (...values: string[]): Shape => ({ kind: 'enum', values });
export const arr = (items: Shape): Shape => ({ kind: 'array', items });

/** Keys of a resource body that are Bicep's, not the resource provider's. */
const BICEP_KEYS = new Set(['name', 'parent', 'scope', 'dependsOn']);

/**
 * Every property a hand-written resource sets must exist in its type's shape (exact case), every
 * literal value must be of the property's kind, and every string literal — direct, in a ternary,
 * or the @allowed values of a param used as the value — must be one of the property's enum values.
 * Expressions whose value is not known without deploying (calls, member access, interpolation)
 * are not judged.
 */
export function propertyProblems(files: readonly BicepFile[], shapes: Readonly<Record<string, Shape>>): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const decls = declarations(file);
    for (const r of resources(file)) {
      if (r.existing) continue;
      const shape = shapes[`${r.type}@${r.apiVersion}`];
      if (!shape) {
        problems.push(`${at(file, r.node)}: no property list for ${r.type}@${r.apiVersion}`);
        continue;
      }
      if (shape.kind !== 'object' || !r.body) continue;
      for (const p of objectProperties(r.body)) {
        if (BICEP_KEYS.has(p.key)) continue;
        checkValue(file, decls, p.key, p.keyNode, p.value, shape, r.type, problems);
      }
    }
  }
  return problems;
}

function checkValue(file: BicepFile, decls: Map<string, Declaration>, key: string, keyNode: Node, value: Node, parent: Shape, where: string, problems: string[]): void {
  if (parent.kind !== 'object') return;
  const shape = parent.props[key];
  const path = `${where}.${key}`;
  if (!shape) {
    if (parent.additional) return;
    const sameLetters = Object.keys(parent.props).find((k) => k.toLowerCase() === key.toLowerCase());
    problems.push(
      sameLetters
        ? `${at(file, keyNode)}: ${path}: no such property; the API spells it ${sameLetters}`
        : `${at(file, keyNode)}: ${path}: no such property (known: ${Object.keys(parent.props).join(', ')})`,
    );
    return;
  }
  if (shape.readOnly) {
    problems.push(`${at(file, keyNode)}: ${path} is read-only`);
    return;
  }
  checkNode(file, decls, value, shape, path, problems);
}

function checkNode(file: BicepFile, decls: Map<string, Declaration>, value: Node, shape: Shape, path: string, problems: string[]): void {
  const literal = stringValue(value);
  const kindOf = (node: Node): string | undefined =>
    node.type === 'boolean' ? 'bool' : node.type === 'number' ? 'int' : stringValue(node) !== undefined ? 'string' : node.type === 'object' ? 'object' : node.type === 'array' ? 'array' : undefined;
  const actual = kindOf(value);
  const expected = shape.kind === 'enum' ? 'string' : shape.kind;
  if (actual && expected !== 'any' && actual !== expected) {
    problems.push(`${at(file, value)}: ${path} must be ${expected}, not ${actual} (${value.text.split('\n')[0]})`);
    return;
  }
  if (shape.kind === 'enum') {
    const candidates: Array<[string, Node]> = [];
    if (literal !== undefined) candidates.push([literal, value]);
    else if (value.type === 'ternary_expression') {
      for (const branch of value.namedChildren.slice(1)) {
        const v = stringValue(branch);
        if (v !== undefined) candidates.push([v, branch]);
      }
    } else if (value.type === 'identifier') {
      for (const v of decls.get(value.text)?.allowed ?? []) candidates.push([v, value]);
    }
    for (const [v, node] of candidates) {
      if (!shape.values.includes(v)) problems.push(`${at(file, node)}: ${path}: '${v}' is not one of ${shape.values.map((x) => `'${x}'`).join(', ')}`);
    }
  } else if (shape.kind === 'object' && value.type === 'object') {
    for (const p of objectProperties(value)) checkValue(file, decls, p.key, p.keyNode, p.value, shape, path, problems);
  } else if (shape.kind === 'array' && value.type === 'array') {
    for (const item of value.namedChildren.filter((c) => c.type !== 'comment')) checkNode(file, decls, item, shape.items, `${path}[]`, problems);
  }
}

// ---------------------------------------------------------------------------------------------
// Shapes from an OpenAPI (Swagger 2.0) description

type Json = { [key: string]: unknown };

/**
 * The shape of a definition of an Azure REST API description, following `$ref`s (within the file
 * and to other files through `load`), `allOf`, enums (x-ms-enum included) and `readOnly`.
 */
export function shapeFromSwagger(spec: Json, definition: string, load: (ref: string) => Json): Shape {
  const resolve = (schema: Json, doc: Json): [Json, Json] => {
    let current = schema;
    let currentDoc = doc;
    while (typeof current['$ref'] === 'string') {
      const [file, pointer = ''] = (current['$ref'] as string).split('#');
      if (file) currentDoc = load(file);
      current = pointer
        .split('/')
        .filter(Boolean)
        .reduce<Json>((node, part) => node[part] as Json, currentDoc);
    }
    return [current, currentDoc];
  };
  const seen = new Map<Json, Shape>();
  const toShape = (input: Json, doc: Json): Shape => {
    const [schema, schemaDoc] = resolve(input, doc);
    const readOnly = input['readOnly'] === true || schema['readOnly'] === true;
    const cached = seen.get(schema);
    if (cached) return cached;
    if (Array.isArray(schema['enum'])) return { kind: 'enum', values: (schema['enum'] as unknown[]).map(String), readOnly };
    const type = schema['type'];
    if (type === 'boolean') return { kind: 'bool', readOnly };
    if (type === 'integer' || type === 'number') return { kind: 'int', readOnly };
    if (type === 'string') return { kind: 'string', readOnly };
    if (type === 'array') return { kind: 'array', items: toShape((schema['items'] as Json) ?? {}, schemaDoc), readOnly };
    const props: Record<string, Shape> = {};
    const shape: Shape = { kind: 'object', props, readOnly, additional: schema['additionalProperties'] !== undefined && schema['properties'] === undefined };
    seen.set(schema, shape);
    for (const part of (schema['allOf'] as Json[] | undefined) ?? []) {
      const inherited = toShape(part, schemaDoc);
      if (inherited.kind === 'object') Object.assign(props, inherited.props);
    }
    for (const [name, child] of Object.entries((schema['properties'] as Record<string, Json> | undefined) ?? {})) props[name] = toShape(child, schemaDoc);
    if (!schema['properties'] && !schema['allOf'] && type !== 'object') return { kind: 'any', readOnly };
    return shape;
  };
  return toShape({ $ref: `#/definitions/${definition}` }, spec);
}

// ---------------------------------------------------------------------------------------------
// Azure Verified Modules

export interface AvmModule {
  versions: readonly string[];
  params: readonly string[];
  source: string;
}

/** `br/public:avm/...:<version>` references must be pinned, and only name parameters the module has. */
export function avmProblems(files: readonly BicepFile[], pinned: Readonly<Record<string, AvmModule>>): string[] {
  const problems: string[] = [];
  for (const file of files) {
    for (const m of modules(file)) {
      if (!m.source.startsWith('br/') && !m.source.startsWith('br:')) continue;
      const match = /^br\/public:(avm\/[a-z0-9/-]+):(\d+\.\d+\.\d+)$/.exec(m.source);
      if (!match?.[1] || !match[2]) {
        problems.push(`${at(file, m.node)}: registry module '${m.source}' is not br/public:avm/<path>:<x.y.z>`);
        continue;
      }
      const entry = pinned[match[1]];
      if (!entry) problems.push(`${at(file, m.node)}: ${match[1]} is not in the pinned module list`);
      else if (!entry.versions.includes(match[2])) problems.push(`${at(file, m.node)}: ${match[1]}:${match[2]} is not a pinned version (${entry.versions.join(', ')})`);
      if (!entry) continue;
      for (const p of objectProperties(property(m.body, 'params'))) {
        if (!entry.params.includes(p.key)) problems.push(`${at(file, p.keyNode)}: ${match[1]} has no parameter ${p.key}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Role definition ids

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const squash = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Every GUID string literal must be a built-in role id from `roles` (name → id), set as a property
 * `<key>: '<guid>' // <Role Name>` whose trailing comment is the documented name and whose key
 * spells the same name.
 */
export function roleGuidProblems(files: readonly BicepFile[], roles: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const nameOf = new Map(Object.entries(roles).map(([name, id]) => [id.toLowerCase(), name]));
  for (const file of files) {
    const walk = (node: Node): void => {
      const value = stringValue(node);
      if (value !== undefined && GUID.test(value)) {
        const where = at(file, node);
        const documented = nameOf.get(value.toLowerCase());
        const holder = node.parent?.type === 'object_property' ? node.parent : undefined;
        const comment = holder?.nextSibling?.type === 'comment' && holder.nextSibling.startPosition.row === node.startPosition.row ? holder.nextSibling : undefined;
        if (!documented) problems.push(`${where}: ${value} is not a documented built-in role id in the test's table`);
        else if (!holder || !comment) problems.push(`${where}: write role ids as <key>: '<guid>' // <Role Name>`);
        else {
          const said = comment.text.replace(/^\/\/\s*/, '').trim();
          const key = propertyKey(holder) ?? '';
          if (said !== documented) problems.push(`${where}: ${value} is ${documented}, the comment says ${said}`);
          if (squash(key) !== squash(documented)) problems.push(`${where}: key ${key} does not name ${documented}`);
        }
        return;
      }
      for (const child of node.namedChildren) walk(child);
    };
    walk(file.root);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Keyless settings

export interface KeylessRule {
  /** `resource <type>` or `module <registry path>`. */
  target: string;
  path: readonly string[];
  value: boolean;
}

/**
 * Every declared (not `existing`) resource and every module of a rule's target must set the
 * rule's property to the boolean literal — not an expression, not left to a default.
 */
export function keylessProblems(files: readonly BicepFile[], rules: readonly KeylessRule[]): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    let seen = 0;
    for (const file of files) {
      const bodies = rule.target.startsWith('resource ')
        ? resources(file)
            .filter((r) => !r.existing && r.type === rule.target.slice('resource '.length))
            .map((r) => ({ node: r.node, body: r.body }))
        : modules(file)
            .filter((m) => m.source.replace(/^br\/public:/, '').replace(/:[\d.]+$/, '') === rule.target.slice('module '.length))
            .map((m) => ({ node: m.node, body: m.body }));
      for (const { node, body } of bodies) {
        seen++;
        const value = property(body, ...rule.path);
        if (!value) problems.push(`${at(file, node)}: ${rule.target} does not set ${rule.path.join('.')} (must be ${rule.value})`);
        else if (value.type !== 'boolean' || value.text !== String(rule.value)) problems.push(`${at(file, value)}: ${rule.path.join('.')} must be the literal ${rule.value}, not ${value.text}`);
      }
    }
    if (seen === 0) problems.push(`no ${rule.target} in the templates: the rule for ${rule.path.join('.')} checks nothing`);
  }
  return problems;
}
