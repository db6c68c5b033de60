import { buildTree, cleanName } from './tree.js';

const t = (id: string, name: string, parentId: string | null = null) => ({ id, name, parentId });

describe('buildTree', () => {
  it('nests children under parents, siblings by name ignoring case', () => {
    const tree = buildTree([t('c', 'pricing'), t('a', 'Onboarding'), t('b', 'Billing', 'c'), t('d', 'annual plans', 'c'), t('e', 'Seats', 'b')]);
    expect(tree.map((n) => n.name)).toEqual(['Onboarding', 'pricing']);
    expect(tree[1].children.map((n) => n.name)).toEqual(['annual plans', 'Billing']);
    expect(tree[1].children[1].children.map((n) => n.id)).toEqual(['e']);
    expect(tree[0].children).toEqual([]);
  });

  it('puts a theme whose parent is not listed at the top level', () => {
    expect(buildTree([t('a', 'A', 'gone')]).map((n) => n.id)).toEqual(['a']);
  });

  it('never drops a theme or loops, even over a cycle', () => {
    const tree = buildTree([t('a', 'A', 'b'), t('b', 'B', 'a'), t('s', 'Self', 's')]);
    const ids: string[] = [];
    const walk = (ns: typeof tree) => ns.forEach((n) => (ids.push(n.id), walk(n.children)));
    walk(tree);
    expect(ids.sort()).toEqual(['a', 'b', 's']);
  });

  it('returns an empty forest for no themes', () => {
    expect(buildTree([])).toEqual([]);
  });
});

describe('cleanName', () => {
  it('trims, and gives null for blank names', () => {
    expect(cleanName('  Pricing  ')).toBe('Pricing');
    expect(cleanName(' \t ')).toBeNull();
  });
});
