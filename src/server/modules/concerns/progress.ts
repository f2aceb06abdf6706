import { sql } from 'drizzle-orm';
import { type Db, queryRows, type Tx } from '../../../db/client';
import type { ActionStatus } from '../../../shared/concerns/schema';

/**
 * Weighted progress, as Decidim's results roll up: an action without sub-actions shows its own
 * progress (100 once completed); an action with sub-actions shows the weighted mean of theirs,
 * recursively, leaving dropped sub-actions out. Rounded to a whole percent only at the end.
 */

export type ProgressNode = {
  id: string;
  parentId: string | null;
  weight: number;
  progress: number;
  status: ActionStatus;
};

export function rollUpProgress(nodes: readonly ProgressNode[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<string, ProgressNode[]>();
  for (const node of nodes) {
    if (node.parentId && byId.has(node.parentId)) {
      const list = children.get(node.parentId) ?? [];
      list.push(node);
      children.set(node.parentId, list);
    }
  }
  const exact = new Map<string, number>();
  const visiting = new Set<string>();
  const compute = (node: ProgressNode): number => {
    const known = exact.get(node.id);
    if (known !== undefined) return known;
    // A cycle cannot be stored (updates refuse one), but never loop forever on bad data.
    if (visiting.has(node.id)) return node.progress;
    visiting.add(node.id);
    const kids = (children.get(node.id) ?? []).filter((k) => k.status !== 'dropped');
    let value: number;
    if (kids.length > 0) {
      const totalWeight = kids.reduce((sum, k) => sum + k.weight, 0);
      value = kids.reduce((sum, k) => sum + k.weight * compute(k), 0) / totalWeight;
    } else {
      value = node.status === 'completed' ? 100 : node.progress;
    }
    visiting.delete(node.id);
    exact.set(node.id, value);
    return value;
  };
  const result = new Map<string, number>();
  for (const node of nodes) result.set(node.id, Math.round(compute(node)));
  return result;
}

/** The rolled-up progress of some actions, reading each one's whole subtree in one query. */
export async function effectiveProgress(
  db: Db | Tx,
  actionIds: readonly string[],
): Promise<Map<string, number>> {
  const ids = [...new Set(actionIds)];
  if (ids.length === 0) return new Map();
  const nodes = await queryRows<{
    id: string;
    parentId: string | null;
    weight: number;
    progress: number;
    status: ActionStatus;
  }>(
    db as Db,
    sql`with recursive tree as (
          select id, parent_id, weight, progress, status from actions
           where id in (${sql.join(
             ids.map((id) => sql`${id}::uuid`),
             sql`, `,
           )})
          union
          select a.id, a.parent_id, a.weight, a.progress, a.status
            from actions a join tree t on a.parent_id = t.id
        )
        select id, parent_id as "parentId", weight, progress, status from tree`,
  );
  return rollUpProgress(nodes);
}
