import {
  FunctionContext,
  TEMPLATE_FUNCTIONS,
  isTruthy,
  kindOf,
  printValue,
} from './mini-helm-functions';
import { BlockNode, TemplateNode, parseTemplate } from './mini-helm-parser';
import { Command, Operand, Pipeline } from './mini-helm-pipeline';

const NO_VALUE = Symbol('no piped value');

/** Template variables; a block's variables end at its `{{end}}`, as in Go. */
class Scope {
  private readonly variables = new Map<string, unknown>();

  constructor(private readonly parent?: Scope) {}

  child(): Scope {
    return new Scope(this);
  }

  declare(name: string, value: unknown): void {
    this.variables.set(name, value);
  }

  assign(name: string, value: unknown): void {
    if (this.variables.has(name)) this.variables.set(name, value);
    else if (this.parent) this.parent.assign(name, value);
    else throw new Error(`undefined variable: $${name}`);
  }

  lookup(name: string): unknown {
    if (this.variables.has(name)) return this.variables.get(name);
    if (this.parent) return this.parent.lookup(name);
    throw new Error(`undefined variable: $${name}`);
  }
}

interface State {
  dot: unknown;
  scope: Scope;
}

/** Executes parsed templates. Every file is also a template named by its path, as in Helm. */
export class TemplateEngine {
  private readonly templates = new Map<string, TemplateNode[]>();
  private readonly functionNames = new Set(TEMPLATE_FUNCTIONS.keys());
  private readonly context: FunctionContext = { include: (name, dot) => this.render(name, dot) };
  private depth = 0;

  addFile(name: string, source: string): void {
    const parsed = parseTemplate(name, source, this.functionNames);
    for (const [defined, nodes] of parsed.defines) {
      if (this.templates.has(defined)) throw new Error(`template "${defined}" defined twice`);
      this.templates.set(defined, nodes);
    }
    this.templates.set(name, parsed.nodes);
  }

  render(name: string, dot: unknown): string {
    const nodes = this.templates.get(name);
    if (!nodes) throw new Error(`no template "${name}"`);
    if (this.depth > 50) throw new Error(`include nesting too deep at "${name}"`);
    const scope = new Scope();
    scope.declare('', dot);
    this.depth++;
    try {
      return this.walk(nodes, { dot, scope });
    } finally {
      this.depth--;
    }
  }

  private walk(nodes: TemplateNode[], state: State): string {
    return nodes.map((node) => this.node(node, state)).join('');
  }

  private node(node: TemplateNode, state: State): string {
    switch (node.kind) {
      case 'text':
        return node.text;
      case 'action': {
        const value = this.pipeline(node.pipeline, state);
        return node.pipeline.variables ? '' : printValue(value);
      }
      case 'if':
        return this.ifNode(node, state);
      case 'with':
        return this.withNode(node, state);
      case 'range':
        return this.rangeNode(node, state);
    }
  }

  private ifNode(node: Extract<TemplateNode, { kind: 'if' }>, state: State): string {
    const inner = { dot: state.dot, scope: state.scope.child() };
    for (const branch of node.branches) {
      if (isTruthy(this.pipeline(branch.pipeline, inner))) return this.walk(branch.body, inner);
    }
    return this.walk(node.otherwise, inner);
  }

  private withNode(node: BlockNode, state: State): string {
    const scope = state.scope.child();
    const value = this.pipeline(node.pipeline, { dot: state.dot, scope });
    if (!isTruthy(value)) return this.walk(node.otherwise, { dot: state.dot, scope });
    return this.walk(node.body, { dot: value, scope });
  }

  private rangeNode(node: BlockNode, state: State): string {
    const scope = state.scope.child();
    const items = rangeEntries(this.commands(node.pipeline, { dot: state.dot, scope }));
    if (items.length === 0) return this.walk(node.otherwise, { dot: state.dot, scope });
    const names = node.pipeline.variables?.names ?? [];
    return items
      .map(([key, item]) => {
        const iteration = scope.child();
        if (names.length === 1) iteration.declare(names[0], item);
        if (names.length === 2) {
          iteration.declare(names[0], key);
          iteration.declare(names[1], item);
        }
        return this.walk(node.body, { dot: item, scope: iteration });
      })
      .join('');
  }

  private pipeline(pipeline: Pipeline, state: State): unknown {
    const value = this.commands(pipeline, state);
    const variables = pipeline.variables;
    if (!variables) return value;
    if (variables.names.length !== 1) throw new Error('too many declarations in pipeline');
    if (variables.mode === 'declare') state.scope.declare(variables.names[0], value);
    else state.scope.assign(variables.names[0], value);
    return value;
  }

  private commands(pipeline: Pipeline, state: State): unknown {
    let piped: unknown = NO_VALUE;
    for (const command of pipeline.commands) piped = this.command(command, state, piped);
    return piped;
  }

  private command(command: Command, state: State, piped: unknown): unknown {
    const [head, ...rest] = command.operands;
    if (head.kind !== 'call') {
      if (rest.length > 0 || piped !== NO_VALUE)
        throw new Error("can't give argument to non-function");
      return this.operand(head, state);
    }
    const thunks = rest.map((operand) => () => this.operand(operand, state));
    if (piped !== NO_VALUE) thunks.push(() => piped);
    if (head.name === 'and' || head.name === 'or') return this.logic(head.name, thunks);
    const fn = TEMPLATE_FUNCTIONS.get(head.name)!;
    return fn(this.context, ...thunks.map((thunk) => thunk()));
  }

  /** `and`/`or` stop at the first operand that decides, so later operands may be invalid. */
  private logic(name: 'and' | 'or', thunks: (() => unknown)[]): unknown {
    let last: unknown;
    for (const thunk of thunks) {
      last = thunk();
      if (name === 'and' ? !isTruthy(last) : isTruthy(last)) return last;
    }
    return last;
  }

  private operand(operand: Operand, state: State): unknown {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'call':
        return this.command({ operands: [operand] }, state, NO_VALUE);
      case 'pipeline':
        return this.commands(operand.pipeline, state);
      case 'field': {
        const base = operand.base === '.' ? state.dot : state.scope.lookup(operand.base.slice(1));
        return fieldPath(base, operand.path);
      }
    }
  }
}

/** `.a.b` on maps; a missing key is nil, but a field of nil is an error (Helm's behaviour). */
function fieldPath(base: unknown, path: string[]): unknown {
  let current = base;
  for (const name of path) {
    const kind = kindOf(current);
    if (kind === 'nil') throw new Error(`nil pointer evaluating interface {}.${name}`);
    if (kind !== 'map') throw new Error(`can't evaluate field ${name} in type ${kind}`);
    const map = current as Record<string, unknown>;
    current = Object.hasOwn(map, name) ? map[name] : undefined;
  }
  return current;
}

function rangeEntries(value: unknown): [unknown, unknown][] {
  const kind = kindOf(value);
  if (kind === 'nil') return [];
  if (kind === 'list') return (value as unknown[]).map((item, i) => [BigInt(i), item]);
  if (kind !== 'map') throw new Error(`range can't iterate over ${printValue(value)}`);
  const map = value as Record<string, unknown>;
  return Object.keys(map)
    .sort()
    .map((key) => [key, map[key]]);
}
