/** Plain functions over themes: no Nest, no database. */

export interface TreeInput {
  id: string;
  name: string;
  parentId: string | null;
}

export type TreeNode<T extends TreeInput> = T & { children: TreeNode<T>[] };

const byName = (a: TreeInput, b: TreeInput) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id);

/**
 * Nests themes under their parents, siblings sorted by name ignoring case. A theme whose parent is not
 * in the list sits at the top level; so does one caught in a cycle (which the service never lets happen),
 * so no theme is ever dropped and the result is always finite.
 */
export function buildTree<T extends TreeInput>(themes: readonly T[]): TreeNode<T>[] {
  const nodes = new Map<string, TreeNode<T>>();
  for (const t of themes) nodes.set(t.id, { ...t, children: [] });
  const kids = new Map<string, TreeNode<T>[]>();
  const roots: TreeNode<T>[] = [];
  for (const n of nodes.values()) {
    if (n.parentId !== null && n.parentId !== n.id && nodes.has(n.parentId)) {
      const list = kids.get(n.parentId) ?? [];
      list.push(n);
      kids.set(n.parentId, list);
    } else {
      roots.push(n);
    }
  }
  const placed = new Set<string>();
  const attach = (n: TreeNode<T>) => {
    placed.add(n.id);
    n.children = (kids.get(n.id) ?? []).filter((c) => !placed.has(c.id)).sort(byName);
    for (const c of n.children) attach(c);
  };
  roots.sort(byName).forEach(attach);
  // Whatever is left hangs in a cycle: break it at its first member by name.
  for (const n of [...nodes.values()].sort(byName)) {
    if (placed.has(n.id)) continue;
    roots.push(n);
    attach(n);
  }
  return roots;
}

/** Trims a theme name; null when nothing is left. */
export function cleanName(name: string): string | null {
  const t = name.trim();
  return t.length ? t : null;
}

export const THEME_NAME_MAX = 120;
