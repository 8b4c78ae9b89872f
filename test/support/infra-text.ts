/**
 * Reading the deployment files as text, for test/unit/infra.test.ts. There is no Bicep compiler,
 * azd or az on the machines the tests run on, so these are deliberately small readers for the
 * shapes infra/ uses (one `key: value` per line in the app-settings object, `// Role Name` beside
 * each role GUID, simple shell and PowerShell scripts) — each check is a pure function of text so
 * the tests can also prove that it fails on a broken copy.
 */

/** `key: value` entries of the object literal that starts on the line `header` (e.g. `var x = {`). */
export function objectEntries(text: string, header: string): Map<string, string> {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === header.trim());
  if (start < 0) throw new Error(`no line '${header}'`);
  const entries = new Map<string, string>();
  let depth = 1;
  for (const raw of lines.slice(start + 1)) {
    const line = stripBicepComment(raw).trim();
    if (depth === 1 && line === '}') return entries;
    const entry = /^([A-Za-z_][\w]*|'[^']+'):\s*(.+)$/.exec(line);
    if (depth === 1 && entry?.[1] && entry[2] !== undefined) {
      const key = entry[1].replace(/^'|'$/g, '');
      if (entries.has(key)) throw new Error(`${key} is set twice`);
      entries.set(key, entry[2].trim());
    }
    depth += count(line, /[{[]/g) - count(line, /[}\]]/g);
    if (depth <= 0) return entries;
  }
  throw new Error(`object '${header}' is not closed`);
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** Removes a trailing `// comment` that is not inside a '...' string. */
export function stripBicepComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "'") inString = !inString;
    else if (!inString && line.startsWith('//', i)) return line.slice(0, i);
  }
  return line;
}

export interface Declaration {
  kind: 'param' | 'var';
  /** The literal default (param) or value (var), when it is a plain string. */
  literal?: string;
  secure: boolean;
}

/** Top-level `param` and `var` declarations of a Bicep file, with plain string values. */
export function declarations(text: string): Map<string, Declaration> {
  const result = new Map<string, Declaration>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = stripBicepComment(raw).trim();
    const match = /^(param|var)\s+(\w+)(?:\s+[\w.]+)?(?:\s*=\s*(.*))?$/.exec(line);
    if (!match?.[1] || !match[2]) return;
    // The decorators above the declaration, up to the previous blank line, comment or statement
    // (multi-line ones such as @allowed([...]) included).
    let secure = false;
    for (let j = index - 1; j >= 0; j--) {
      const above = (lines[j] ?? '').trim();
      if (above === '' || above.startsWith('//') || /^(param|var|resource|module|output|targetScope)\b/.test(above)) break;
      if (above === '@secure()') secure = true;
    }
    const literal = plainString(match[3]?.trim());
    result.set(match[2], { kind: match[1] as 'param' | 'var', secure, ...(literal !== undefined ? { literal } : {}) });
  });
  return result;
}

/** The value of a Bicep string literal without interpolation, else undefined. */
export function plainString(expression: string | undefined): string | undefined {
  const match = /^'([^'$]*)'$/.exec(expression ?? '');
  return match ? match[1] : undefined;
}

/** A value expression resolved to a literal: a plain string, or a param/var whose value is one. */
export function resolveLiteral(expression: string, decls: Map<string, Declaration>): string | undefined {
  return plainString(expression) ?? (/^\w+$/.test(expression) ? decls.get(expression)?.literal : undefined);
}

/** `${NAME}` / `${NAME=default}` of an azd parameters-file value. */
export function azdReference(value: string): { name: string; default?: string } | undefined {
  const match = /^\$\{(\w+)(?:=([^}]*))?\}$/.exec(value);
  if (!match?.[1]) return undefined;
  return { name: match[1], ...(match[2] !== undefined ? { default: match[2] } : {}) };
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Lower-case letters and digits only: how a role name and its Bicep key are compared. */
function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Every GUID in the files must be a built-in role id from `roles` (name → id), written as
 * `<key>: '<guid>' // <Role Name>` (or `var <key> = '<guid>' // <Role Name>`), where the comment is
 * the role's documented name and the key spells the same name. Returns one line per problem.
 */
export function roleGuidProblems(files: ReadonlyMap<string, string>, roles: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const nameOf = new Map(Object.entries(roles).map(([name, id]) => [id.toLowerCase(), name]));
  for (const [file, text] of files) {
    text.split('\n').forEach((line, index) => {
      for (const guid of line.match(GUID) ?? []) {
        const where = `${file}:${index + 1}`;
        const documented = nameOf.get(guid.toLowerCase());
        if (!documented) {
          problems.push(`${where}: ${guid} is not a documented built-in role id in the test's table`);
          continue;
        }
        const shape = /^\s*(?:var\s+)?(\w+)\s*[:=]\s*'([^']+)'\s*\/\/\s*(.+?)\s*$/.exec(line);
        if (!shape?.[1] || !shape[3]) {
          problems.push(`${where}: write role ids as <key>: '<guid>' // <Role Name>`);
          continue;
        }
        if (shape[3] !== documented) problems.push(`${where}: ${guid} is ${documented}, the comment says ${shape[3]}`);
        if (squash(shape[1]) !== squash(documented)) problems.push(`${where}: key ${shape[1]} does not name ${documented}`);
      }
    });
  }
  return problems;
}

/**
 * Names of the commands a POSIX sh script runs: the first word of every simple command, including
 * those inside `$(...)` and `"$(...)"`, after assignments and reserved words. A small scanner, not
 * a shell: enough for scripts that stay plain (no eval, no aliases, no functions called by name).
 */
export function shCommands(source: string): string[] {
  const commands: string[] = [];
  const reserved = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'case', 'esac', 'in', '!', '{', '}']);
  let i = 0;
  const skipTo = (close: string): void => {
    let depth = 0;
    const open = close === '}' ? '{' : '(';
    for (; i < source.length; i++) {
      if (source[i] === open) depth++;
      else if (source[i] === close && --depth === 0) {
        i++;
        return;
      }
    }
  };
  const doubleQuoted = (): void => {
    i++; // opening quote
    while (i < source.length && source[i] !== '"') {
      if (source[i] === '\\') i += 2;
      else if (source.startsWith('$((', i)) skipTo(')');
      else if (source.startsWith('$(', i)) {
        i += 2;
        list(')');
      } else if (source.startsWith('${', i)) {
        i++;
        skipTo('}');
      } else i++;
    }
    i++; // closing quote
  };
  const list = (end: string | undefined): void => {
    let atStart = true;
    let word = '';
    const flush = (): void => {
      if (word !== '' && atStart) {
        if (/^[A-Za-z_]\w*=/.test(word)) {
          // assignment: the command, if any, follows
        } else if (!reserved.has(word)) {
          commands.push(word);
          atStart = false;
        }
      }
      word = '';
    };
    while (i < source.length) {
      const c = source[i] ?? '';
      if (end !== undefined && c === end) {
        flush();
        i++;
        return;
      }
      if (c === '#' && word === '') {
        while (i < source.length && source[i] !== '\n') i++;
      } else if (c === '\\') {
        if (source[i + 1] !== '\n') word += source[i + 1] ?? '';
        i += 2;
      } else if (c === "'") {
        const close = source.indexOf("'", i + 1);
        word += source.slice(i + 1, close);
        i = close + 1;
      } else if (c === '"') {
        doubleQuoted();
        word += '"';
      } else if (source.startsWith('$((', i)) {
        skipTo(')');
        word += '$';
      } else if (source.startsWith('$(', i)) {
        i += 2;
        list(')');
        word += '$';
      } else if (source.startsWith('${', i)) {
        i++;
        skipTo('}');
        word += '$';
      } else if (c === '>' || c === '<') {
        // redirection: `2>/dev/null`, `>&2` — the target is not a command
        flush();
        i += source[i + 1] === '&' ? 2 : 1;
      } else if (c === '\n' || c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
        flush();
        atStart = true;
        i++;
      } else if (c === ' ' || c === '\t') {
        flush();
        i++;
      } else {
        word += c;
        i++;
      }
    }
    flush();
  };
  list(undefined);
  return commands;
}

/**
 * Names of the commands a PowerShell script runs: the first bare word of each statement or
 * pipeline element (after `=`, `;`, `|`, `{`, `(` or a new line), ignoring strings, variables,
 * type literals, numbers and keywords; function definitions are reported separately so callers can
 * allow the script's own functions.
 */
export function psCommands(source: string): { commands: string[]; functions: string[] } {
  const commands: string[] = [];
  const functions: string[] = [];
  const keywords = new Set(['if', 'elseif', 'else', 'for', 'foreach', 'while', 'do', 'until', 'switch', 'return', 'throw', 'break', 'continue', 'try', 'catch', 'finally', 'param', 'exit', 'in']);
  const text = source.replace(/`\r?\n/g, ' ');
  let atStart = true;
  let afterFunction = false;
  let i = 0;
  const skipString = (quote: string): void => {
    i++;
    while (i < text.length) {
      if (quote === '"' && text[i] === '`') i += 2;
      else if (text[i] === quote && text[i + 1] === quote) i += 2;
      else if (text[i] === quote) break;
      else i++;
    }
    i++;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === "'" || c === '"') {
      skipString(c);
      atStart = false;
    } else if ('\n;|{(='.includes(c)) {
      atStart = true;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === ')' || c === '}' || c === ',') {
      i++;
    } else {
      const word = /^[^\s;|{}()=,'"]+/.exec(text.slice(i))?.[0] ?? c;
      i += word.length;
      if (afterFunction) {
        functions.push(word);
        afterFunction = false;
      } else if (word === 'function') {
        afterFunction = true;
      } else if (atStart && !keywords.has(word.toLowerCase()) && !/^[$[\d@.+\-*/!<>&]/.test(word)) {
        commands.push(word);
        atStart = false;
      } else if (atStart && !keywords.has(word.toLowerCase())) {
        atStart = false;
      }
    }
  }
  return { commands, functions };
}

/** A mapping-only YAML reader (nested `key: value` by indentation, `#` comments): azure.yaml's shape. */
export type YamlMap = { [key: string]: string | YamlMap };

export function parseSimpleYaml(text: string): YamlMap {
  const root: YamlMap = {};
  const stack: { indent: number; map: YamlMap }[] = [{ indent: -1, map: root }];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '');
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    const match = /^([\w.-]+):\s*(.*)$/.exec(line.trim());
    if (!match?.[1]) throw new Error(`unsupported YAML line: ${raw}`);
    while ((stack.at(-1)?.indent ?? -1) >= indent) stack.pop();
    const parent = stack.at(-1)?.map ?? root;
    const value = match[2] ?? '';
    if (value === '') {
      const child: YamlMap = {};
      parent[match[1]] = child;
      stack.push({ indent, map: child });
    } else {
      parent[match[1]] = value.replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return root;
}
