/**
 * Reading the deployment's scripts and small config files for test/unit/infra.test.ts (the Bicep
 * is read as a parse tree: bicep-tree.ts). Shell and PowerShell are read by small scanners for the
 * plain scripts infra/hooks holds (no eval, no aliases): which commands run, and each `az` call's
 * command words and flags; azure.yaml by a mapping-only YAML reader.
 */

/** `${NAME}` / `${NAME=default}` of an azd parameters-file value. */
export function azdReference(value: string): { name: string; default?: string } | undefined {
  const match = /^\$\{(\w+)(?:=([^}]*))?\}$/.exec(value);
  if (!match?.[1]) return undefined;
  return { name: match[1], ...(match[2] !== undefined ? { default: match[2] } : {}) };
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

export interface AzCall {
  line: number;
  /** Command words after `az` up to the first option, e.g. `functionapp keys list`. */
  command: string;
  /** Long options used (`--name`), short ones as written (`-n`). */
  flags: string[];
}

/**
 * Every `az` invocation of a sh or pwsh script with its command words and flags. Line
 * continuations (`\` in sh, a backtick in pwsh) are joined; comments are skipped; quoted words and
 * `$(...)` stay one word, so a `--flag` inside a string or a nested command is not taken for one.
 */
export function azCalls(source: string, dialect: 'sh' | 'pwsh'): AzCall[] {
  const calls: AzCall[] = [];
  const mark = dialect === 'sh' ? '\\' : '`';
  const lines = source.split('\n').map((l) => l.replace(/\r$/, ''));
  // Join continued lines, remembering the line each logical line starts on.
  const logical: Array<{ line: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let text = lines[i] ?? '';
    while (text.trimEnd().endsWith(mark) && i + 1 < lines.length) text = `${text.trimEnd().slice(0, -1)} ${lines[++i] ?? ''}`;
    logical.push({ line: first, text });
  }
  for (const { line, text } of logical) {
    const words = tokenize(text);
    for (let i = 0; i < words.length; i++) {
      if (words[i] !== 'az') continue;
      const before = words[i - 1];
      if (before !== undefined && !['|', ';', '&&', '||', '(', '$(', '=', 'until', 'while', 'if', 'then', 'do', '!'].includes(before) && !before.endsWith('=')) continue;
      const command: string[] = [];
      const flags: string[] = [];
      let j = i + 1;
      for (; j < words.length && /^[a-z][a-z0-9-]*$/.test(words[j] ?? ''); j++) command.push(words[j] ?? '');
      for (; j < words.length && !['|', ';', '&&', '||', ')'].includes(words[j] ?? ''); j++) {
        const word = words[j] ?? '';
        if (/^--?[a-zA-Z][\w-]*$/.test(word)) flags.push(word);
      }
      calls.push({ line, command: command.join(' '), flags });
    }
  }
  return calls;
}

/** End (exclusive) of the double-quoted string opening at `i`, `$(...)` inside it skipped whole. */
function endOfDouble(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text.startsWith('$(', j)) j = endOfParen(text, j + 1) - 1;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

/** End (exclusive) of the parenthesis opening at `i`, quotes inside it respected. */
function endOfParen(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === "'") j = Math.max(j, text.indexOf("'", j + 1));
    else if (c === '"') j = endOfDouble(text, j) - 1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return text.length;
}

/** Words of one logical line: quoted strings kept whole (a string that is one `$(...)` is opened). */
function tokenize(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let i = 0;
  const flush = (): void => {
    if (word !== '') words.push(word);
    word = '';
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#' && word === '') break;
    if (c === '"') {
      const end = endOfDouble(text, i);
      const inner = text.slice(i + 1, end - 1);
      if (inner.startsWith('$(') && endOfParen(inner, 1) === inner.length) {
        flush();
        words.push(...tokenize(inner));
      } else word += text.slice(i, end);
      i = end;
    } else if (c === "'") {
      const close = text.indexOf(c, i + 1);
      const end = close < 0 ? text.length : close + 1;
      word += text.slice(i, end);
      i = end;
    } else if (text.startsWith('$(', i)) {
      flush();
      words.push('$(');
      i += 2;
    } else if (c === ' ' || c === '\t') {
      flush();
      i++;
    } else if (c === ';' || c === '|' || c === '(' || c === ')' || (c === '&' && text[i + 1] === '&')) {
      flush();
      const op = text.startsWith('||', i) ? '||' : text.startsWith('&&', i) ? '&&' : c;
      words.push(op);
      i += op.length;
    } else {
      word += c;
      i++;
    }
  }
  flush();
  return words;
}
