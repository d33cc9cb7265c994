/**
 * Parser for the subset of Go's text/template that the dorc-monitor chart uses. Anything outside
 * that subset (an unknown function, `template`, `block`, `break`...) is a parse error, so a
 * template the renderer cannot honour fails loudly instead of rendering something else.
 */
import { Pipeline, parsePipeline } from './mini-helm-pipeline';

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipeline: Pipeline }
  | {
      kind: 'if';
      branches: { pipeline: Pipeline; body: TemplateNode[] }[];
      otherwise: TemplateNode[];
    }
  | BlockNode;

/** `with` and `range`: a body for a non-empty value, `otherwise` for an empty one. */
export interface BlockNode {
  kind: 'with' | 'range';
  pipeline: Pipeline;
  body: TemplateNode[];
  otherwise: TemplateNode[];
}

export interface ParsedTemplate {
  nodes: TemplateNode[];
  defines: Map<string, TemplateNode[]>;
}

interface Segment {
  kind: 'text' | 'action';
  text: string;
  line: number;
}

/** Splits a template into text and actions, applying the `{{-` and `-}}` whitespace trims. */
function splitSegments(source: string): Segment[] {
  const segments: Segment[] = [];
  let position = 0;
  let trimNext = false;
  while (position < source.length) {
    const open = source.indexOf('{{', position);
    const textEnd = open < 0 ? source.length : open;
    let text = source.slice(position, textEnd);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      segments.push({ kind: 'text', text, line: 0 });
      break;
    }
    const close = findActionEnd(source, open + 2);
    let inner = source.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    segments.push({ kind: 'text', text, line: 0 });
    const line = source.slice(0, open).split('\n').length;
    if (!/^\s*\/\*[\s\S]*\*\/\s*$/.test(inner))
      segments.push({ kind: 'action', text: inner, line });
    position = close + 2;
  }
  return segments.filter((segment) => segment.kind === 'action' || segment.text !== '');
}

function findActionEnd(source: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < source.length - 1; i++) {
    const char = source[i];
    if (quote !== null) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === '`') {
      quote = char;
    } else if (char === '}' && source[i + 1] === '}') {
      return i;
    }
  }
  throw new Error('unclosed action: "{{" without "}}"');
}

const UNSUPPORTED_KEYWORDS = new Set(['template', 'block', 'break', 'continue']);

/** Builds the node tree from segments; `define` bodies go into `defines`. */
class TreeBuilder {
  private index = 0;
  readonly defines = new Map<string, TemplateNode[]>();

  constructor(
    private readonly segments: Segment[],
    private readonly functions: ReadonlySet<string>,
    private readonly name: string,
  ) {}

  build(): TemplateNode[] {
    const { nodes, terminator } = this.parseList();
    if (terminator !== null) throw this.error(`unexpected {{${terminator}}}`);
    return nodes;
  }

  /** Parses until `end`/`else` (returned as terminator, with the else's remainder) or EOF. */
  private parseList(): { nodes: TemplateNode[]; terminator: string | null; rest: string } {
    const nodes: TemplateNode[] = [];
    while (this.index < this.segments.length) {
      const segment = this.segments[this.index++];
      if (segment.kind === 'text') {
        nodes.push({ kind: 'text', text: segment.text });
        continue;
      }
      const [keyword, rest] = splitKeyword(segment.text.trim());
      if (keyword === 'end' || keyword === 'else') return { nodes, terminator: keyword, rest };
      const node = this.parseAction(keyword, rest, segment);
      if (node) nodes.push(node);
    }
    return { nodes, terminator: null, rest: '' };
  }

  private parseAction(keyword: string, rest: string, segment: Segment): TemplateNode | null {
    if (UNSUPPORTED_KEYWORDS.has(keyword))
      throw this.error(`{{${keyword}}} is not supported`, segment);
    if (keyword === 'define') return this.parseDefine(rest, segment);
    if (keyword === 'if') return this.parseIf(rest, segment);
    if (keyword === 'with' || keyword === 'range') {
      const pipeline = this.pipeline(rest, segment);
      const { body, otherwise } = this.parseBodyAndElse(segment);
      return { kind: keyword, pipeline, body, otherwise };
    }
    return { kind: 'action', pipeline: this.pipeline(segment.text, segment) };
  }

  private parseDefine(rest: string, segment: Segment): null {
    const match = /^"([^"]+)"$/.exec(rest.trim());
    if (!match) throw this.error('define needs one quoted name', segment);
    const { nodes, terminator } = this.parseList();
    if (terminator !== 'end') throw this.error(`define "${match[1]}" has no {{end}}`, segment);
    if (this.defines.has(match[1]))
      throw this.error(`template "${match[1]}" defined twice`, segment);
    this.defines.set(match[1], nodes);
    return null;
  }

  private parseIf(rest: string, segment: Segment): TemplateNode {
    const branches = [{ pipeline: this.pipeline(rest, segment), body: [] as TemplateNode[] }];
    for (;;) {
      const list = this.parseList();
      branches[branches.length - 1].body = list.nodes;
      if (list.terminator === 'end') return { kind: 'if', branches, otherwise: [] };
      if (list.terminator !== 'else') throw this.error('if has no {{end}}', segment);
      const [next, condition] = splitKeyword(list.rest);
      if (next !== 'if') {
        if (list.rest !== '') throw this.error(`unsupported "else ${list.rest}"`, segment);
        return { kind: 'if', branches, otherwise: this.parseUntilEnd(segment) };
      }
      branches.push({ pipeline: this.pipeline(condition, segment), body: [] });
    }
  }

  private parseBodyAndElse(segment: Segment): { body: TemplateNode[]; otherwise: TemplateNode[] } {
    const list = this.parseList();
    if (list.terminator === 'end') return { body: list.nodes, otherwise: [] };
    if (list.terminator !== 'else' || list.rest !== '')
      throw this.error('block has no {{end}}', segment);
    return { body: list.nodes, otherwise: this.parseUntilEnd(segment) };
  }

  private parseUntilEnd(segment: Segment): TemplateNode[] {
    const list = this.parseList();
    if (list.terminator !== 'end') throw this.error('else has no {{end}}', segment);
    return list.nodes;
  }

  private pipeline(text: string, segment: Segment): Pipeline {
    try {
      return parsePipeline(text, this.functions);
    } catch (error) {
      throw this.error((error as Error).message, segment);
    }
  }

  private error(message: string, segment?: Segment): Error {
    const where = segment ? `${this.name}:${segment.line}` : this.name;
    return new Error(`template: ${where}: ${message}`);
  }
}

function splitKeyword(text: string): [string, string] {
  const match = /^([A-Za-z]+)\b\s*([\s\S]*)$/.exec(text);
  return match ? [match[1], match[2].trim()] : ['', text];
}

/** Parses one template file. `functions` are the names a pipeline may call. */
export function parseTemplate(
  name: string,
  source: string,
  functions: ReadonlySet<string>,
): ParsedTemplate {
  const builder = new TreeBuilder(splitSegments(source), functions, name);
  const nodes = builder.build();
  return { nodes, defines: builder.defines };
}
