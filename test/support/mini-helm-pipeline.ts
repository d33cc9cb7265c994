/** Parses the inside of one template action (`.Values.x | default 1`) into a pipeline. */
export type Operand =
  | { kind: 'field'; base: string; path: string[] }
  | { kind: 'literal'; value: unknown }
  | { kind: 'call'; name: string }
  | { kind: 'pipeline'; pipeline: Pipeline };

export interface Command {
  operands: Operand[];
}

export interface Pipeline {
  commands: Command[];
  /** Variables set by `$a := ...` (declare) or `$a = ...` (assign); `range $k, $v :=` has two. */
  variables?: { names: string[]; mode: 'declare' | 'assign' };
}

type Token = { type: 'string' | 'number' | 'field' | 'variable' | 'ident' | 'punct'; text: string };

const TOKEN_PATTERN =
  /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?)|([A-Za-z_][A-Za-z0-9_]*)|(:=|[()|,=]))/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const types: Token['type'][] = [
    'string',
    'string',
    'number',
    'variable',
    'field',
    'ident',
    'punct',
  ];
  TOKEN_PATTERN.lastIndex = 0;
  while (TOKEN_PATTERN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN_PATTERN.lastIndex))) break;
    const start = TOKEN_PATTERN.lastIndex;
    const match = TOKEN_PATTERN.exec(text);
    if (!match) throw new Error(`unexpected input in action at: ${text.slice(start).trim()}`);
    const group = match.slice(1).findIndex((value) => value !== undefined);
    tokens.push({ type: types[group], text: match[group + 1] });
  }
  return tokens;
}

function unquote(token: string): string {
  if (token.startsWith('`')) return token.slice(1, -1);
  return token.slice(1, -1).replace(/\\(.)/g, (_, escaped: string) => {
    const known: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
    if (!(escaped in known)) throw new Error(`unsupported escape \\${escaped} in string`);
    return known[escaped];
  });
}

/** Parses the inside of one action (keywords already removed) into a pipeline. */
class PipelineParser {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly functions: ReadonlySet<string>,
  ) {}

  parseTop(): Pipeline {
    const pipeline = this.parsePipeline(true);
    if (this.index < this.tokens.length) {
      throw new Error(`unexpected "${this.tokens[this.index].text}" in action`);
    }
    return pipeline;
  }

  private parsePipeline(allowVariables: boolean): Pipeline {
    const variables = allowVariables ? this.parseVariables() : undefined;
    const commands: Command[] = [this.parseCommand()];
    while (this.peek('|')) {
      this.index++;
      commands.push(this.parseCommand());
    }
    return variables ? { commands, variables } : { commands };
  }

  private parseVariables(): Pipeline['variables'] {
    const names: string[] = [];
    let cursor = this.index;
    while (this.tokens[cursor]?.type === 'variable' && !this.tokens[cursor].text.includes('.')) {
      names.push(this.tokens[cursor].text.slice(1));
      const next = this.tokens[cursor + 1]?.text;
      if (next === ',') {
        cursor += 2;
        continue;
      }
      if (next !== ':=' && next !== '=') return undefined;
      this.index = cursor + 2;
      return { names, mode: next === ':=' ? 'declare' : 'assign' };
    }
    return undefined;
  }

  private parseCommand(): Command {
    const operands: Operand[] = [];
    while (this.index < this.tokens.length && !this.peek('|') && !this.peek(')')) {
      operands.push(this.parseOperand());
    }
    if (operands.length === 0) throw new Error('missing value for command');
    return { operands };
  }

  private parseOperand(): Operand {
    const token = this.tokens[this.index++];
    if (token.text === '(') {
      const pipeline = this.parsePipeline(false);
      if (!this.peek(')')) throw new Error('unclosed left paren');
      this.index++;
      return { kind: 'pipeline', pipeline };
    }
    return this.simpleOperand(token);
  }

  private simpleOperand(token: Token): Operand {
    if (token.type === 'string') return { kind: 'literal', value: unquote(token.text) };
    if (token.type === 'number') {
      const isFloat = /[.eE]/.test(token.text);
      return { kind: 'literal', value: isFloat ? Number(token.text) : BigInt(token.text) };
    }
    if (token.type === 'field') {
      return { kind: 'field', base: '.', path: token.text.split('.').filter(Boolean) };
    }
    if (token.type === 'variable') {
      const [name, ...path] = token.text.slice(1).split('.');
      return { kind: 'field', base: `$${name}`, path };
    }
    if (token.type === 'ident') return this.identifier(token.text);
    throw new Error(`unexpected "${token.text}" in operand`);
  }

  private identifier(name: string): Operand {
    const literals: Record<string, unknown> = { true: true, false: false, nil: null };
    if (name in literals) return { kind: 'literal', value: literals[name] };
    if (!this.functions.has(name)) throw new Error(`function "${name}" not defined`);
    return { kind: 'call', name };
  }

  private peek(text: string): boolean {
    const token = this.tokens[this.index];
    return token !== undefined && token.type === 'punct' && token.text === text;
  }
}

/** Parses an action's text; `functions` are the names a command may call. */
export function parsePipeline(text: string, functions: ReadonlySet<string>): Pipeline {
  return new PipelineParser(tokenize(text), functions).parseTop();
}
