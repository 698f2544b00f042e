// Hop distance of every node from the focus (breadth-first), so the concentric layout puts ring k at k hops.
import type { GraphData } from "./types";

export function hopLevels(data: GraphData, focus: string | undefined): Map<string, number> {
  const next = new Map<string, string[]>();
  for (const e of data.edges) {
    (next.get(e.source) ?? next.set(e.source, []).get(e.source)!).push(e.target);
    (next.get(e.target) ?? next.set(e.target, []).get(e.target)!).push(e.source);
  }
  const level = new Map<string, number>();
  if (!focus) return level;
  level.set(focus, 0);
  let frontier = [focus];
  while (frontier.length) {
    const after: string[] = [];
    for (const id of frontier) {
      for (const n of next.get(id) ?? []) {
        if (!level.has(n)) {
          level.set(n, level.get(id)! + 1);
          after.push(n);
        }
      }
    }
    frontier = after;
  }
  return level;
}
