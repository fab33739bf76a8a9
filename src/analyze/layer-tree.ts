/**
 * One layer's own filesystem tree, built entry by entry the way a container
 * runtime unpacks the layer into its directory: parents a layer never lists
 * are created (implied), a symlink written earlier in the layer is followed
 * when a later entry goes below it, and a new entry at a taken name replaces
 * what was there (and everything under it) unless both are directories.
 *
 * Nodes are kept per directory by name, so resolving or placing an entry
 * costs the length of its name, whatever the depth or the number of entries:
 * a hostile layer cannot make the walk quadratic.
 */

/** Symlinks followed while resolving one name before giving up, as Linux (ELOOP). */
export const MAX_LINK_HOPS = 40;

export type TreeEntry<F> =
  | { readonly kind: 'file'; readonly file: F }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'dir' }
  | { readonly kind: 'other' };

export interface TreeNode<F> {
  readonly name: string;
  readonly parent: TreeNode<F> | undefined;
  children: Map<string, TreeNode<F>> | undefined;
  /** Undefined for a directory the layer only implies (no entry of its own), and the root. */
  entry: TreeEntry<F> | undefined;
  /** False once removed from the tree. */
  attached: boolean;
}

/** Why a name could not be resolved: a symlink loop, or a file where a directory must be. */
export type Unresolved = 'loop' | 'not-a-directory';

export class LayerTree<F> {
  readonly root: TreeNode<F> = { name: '', parent: undefined, children: undefined, entry: undefined, attached: true };

  /** Called for every node a replacement removes (each once). */
  constructor(private readonly onRemove: (node: TreeNode<F>) => void = () => {}) {}

  /**
   * The directory that `parts` (clean names) lead to, following this layer's
   * symlinks inside the tree (absolute targets from the root, ".." stopping
   * there). Missing directories are created as implied ones when `create`,
   * else the answer is undefined.
   */
  dir(parts: readonly string[], create: boolean): TreeNode<F> | Unresolved | undefined {
    let cur = this.root;
    const todo = [...parts].reverse();
    let hops = 0;
    while (todo.length > 0) {
      const part = todo.pop() as string;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        cur = cur.parent ?? this.root;
        continue;
      }
      let next = cur.children?.get(part);
      if (next?.entry?.kind === 'symlink') {
        if (++hops > MAX_LINK_HOPS) return 'loop';
        const target = next.entry.target;
        if (target.startsWith('/')) cur = this.root;
        for (const p of target.split('/').reverse()) todo.push(p);
        continue;
      }
      if (next === undefined) {
        if (!create) return undefined;
        next = { name: part, parent: cur, children: undefined, entry: undefined, attached: true };
        cur.children ??= new Map();
        cur.children.set(part, next);
      } else if (next.entry !== undefined && next.entry.kind !== 'dir') {
        return 'not-a-directory';
      }
      cur = next;
    }
    return cur;
  }

  /** Put an entry at `name` in `dir`: a directory over a directory merges, anything else replaces. */
  place(dir: TreeNode<F>, name: string, entry: TreeEntry<F>): TreeNode<F> {
    const old = dir.children?.get(name);
    if (old && entry.kind === 'dir' && (old.entry === undefined || old.entry.kind === 'dir')) {
      old.entry ??= entry;
      return old;
    }
    if (old) this.remove(old);
    const node: TreeNode<F> = { name, parent: dir, children: undefined, entry, attached: true };
    dir.children ??= new Map();
    dir.children.set(name, node);
    return node;
  }

  /** Remove a node and everything under it. */
  private remove(node: TreeNode<F>): void {
    node.parent?.children?.delete(node.name);
    const stack = [node];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      n.attached = false;
      this.onRemove(n);
      for (const c of n.children?.values() ?? []) stack.push(c);
    }
  }

  /** The node's path in the image (no leading "/"; "" for the root). */
  pathOf(node: TreeNode<F>): string {
    const names: string[] = [];
    for (let n: TreeNode<F> | undefined = node; n?.parent !== undefined; n = n.parent) names.push(n.name);
    return names.reverse().join('/');
  }

  /** Every node but the root with its path, parents before children, in the order they were added. */
  *nodes(): Generator<readonly [string, TreeNode<F>]> {
    const stack: [string, TreeNode<F>][] = [];
    const push = (prefix: string, n: TreeNode<F>): void => {
      const kids = [...(n.children?.values() ?? [])];
      for (let i = kids.length - 1; i >= 0; i--) {
        const k = kids[i] as TreeNode<F>;
        stack.push([prefix ? `${prefix}/${k.name}` : k.name, k]);
      }
    };
    push('', this.root);
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      yield top;
      push(top[0], top[1]);
    }
  }
}
