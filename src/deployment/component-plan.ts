/** What the plan needs of a catalogue component; the executor's own type passes through. */
export interface PlannableComponent {
  id: number;
  name: string;
  parentId: number | null;
  isEnabled: boolean;
}

export interface PlanStep<C> {
  component: C;
  /** The component is disabled: record a Disabled result instead of running it. */
  disabled: boolean;
}

export interface ComponentPlan<C> {
  /** In execution order. */
  steps: PlanStep<C>[];
  /** Requested names that are not in the catalogue, as written. */
  unknown: string[];
}

/**
 * Which components a request runs, in which order, as the original monitor did:
 *
 * - Each requested component runs with its whole subtree.
 * - Order: depth-first through the project's component tree, parents before children,
 *   siblings sorted by name (case-insensitive ordinal, like .NET's OrdinalIgnoreCase; ties by
 *   case, then id). A component whose parent is outside the project starts a tree of its own.
 * - `skip` (ComponentsToSkip) removes only the named components; their children still run
 *   unless they are named too, since a request's list names each component it wants.
 * - Disabled components stay in the plan, marked, so that their result says Disabled.
 * - Names match case-insensitively and ignore surrounding spaces.
 */
export function planComponents<C extends PlannableComponent>(
  catalog: C[],
  requested: string[],
  skip: string[],
): ComponentPlan<C> {
  const tree = new ComponentTree(catalog);
  const selected = new Set<C>();
  const unknown: string[] = [];
  for (const name of requested) {
    const matches = tree.named(name);
    if (matches.length === 0 && !unknown.includes(name)) unknown.push(name);
    for (const component of matches) tree.addSubtree(component, selected);
  }
  for (const name of skip) tree.named(name).forEach((component) => selected.delete(component));

  const steps = tree
    .depthFirst()
    .filter((component) => selected.has(component))
    .map((component) => ({ component, disabled: !component.isEnabled }));
  return { steps, unknown };
}

function nameKey(name: string): string {
  return name.trim().toUpperCase();
}

function byName(a: PlannableComponent, b: PlannableComponent): number {
  return (
    compareOrdinal(nameKey(a.name), nameKey(b.name)) ||
    compareOrdinal(a.name, b.name) ||
    a.id - b.id
  );
}

function compareOrdinal(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

class ComponentTree<C extends PlannableComponent> {
  private readonly sorted: C[];
  private readonly children = new Map<number, C[]>();
  private readonly ids: Set<number>;

  constructor(catalog: C[]) {
    this.sorted = [...catalog].sort(byName);
    this.ids = new Set(catalog.map((c) => c.id));
    for (const component of this.sorted) {
      if (!this.hasParent(component)) continue;
      const siblings = this.children.get(component.parentId!) ?? [];
      siblings.push(component);
      this.children.set(component.parentId!, siblings);
    }
  }

  named(name: string): C[] {
    return this.sorted.filter((c) => nameKey(c.name) === nameKey(name));
  }

  addSubtree(component: C, into: Set<C>): void {
    if (into.has(component)) return;
    into.add(component);
    for (const child of this.childrenOf(component)) this.addSubtree(child, into);
  }

  /** Every component once: trees from the roots, then any caught in a parent cycle. */
  depthFirst(): C[] {
    const order: C[] = [];
    const seen = new Set<C>();
    const visit = (component: C) => {
      if (seen.has(component)) return;
      seen.add(component);
      order.push(component);
      this.childrenOf(component).forEach(visit);
    };
    this.sorted.filter((c) => !this.hasParent(c)).forEach(visit);
    this.sorted.forEach(visit);
    return order;
  }

  private childrenOf(component: C): C[] {
    return this.children.get(component.id) ?? [];
  }

  private hasParent(component: C): boolean {
    const parentId = component.parentId;
    return parentId !== null && parentId !== component.id && this.ids.has(parentId);
  }
}
