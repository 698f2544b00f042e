// A radial tree layout for large graphs, linear in nodes and edges: the focus at the centre, ring k at k hops,
// each node inside the angular sector of the node it was reached from (sectors sized by how much hangs below), so
// an enterprise's ties sit together. A crowded ring is spread over several lanes instead of one huge circle.
import type { GraphData } from "./types";

export interface Point {
  x: number;
  y: number;
}

const SPACING = 16; // px along a lane between two nodes
const RING_GAP = 110; // px between the last lane of a ring and the next ring
const LANE_GAP = 26; // px between the lanes of one ring

interface Tree {
  order: string[]; // breadth-first from the focus, then the unreached
  parent: Map<string, string>;
  level: Map<string, number>;
}

function adjacency(data: GraphData): Map<string, string[]> {
  const next = new Map<string, string[]>();
  const add = (a: string, b: string) => {
    const list = next.get(a);
    if (list) list.push(b);
    else next.set(a, [b]);
  };
  for (const e of data.edges) {
    add(e.source, e.target);
    add(e.target, e.source);
  }
  return next;
}

/** Breadth-first tree from `focus`; nodes it does not reach go one ring beyond the deepest. */
export function bfsTree(data: GraphData, focus: string | undefined): Tree {
  const next = adjacency(data);
  const level = new Map<string, number>();
  const parent = new Map<string, string>();
  const order: string[] = [];
  const start = focus && data.nodes.some((n) => n.id === focus) ? focus : data.nodes[0]?.id;
  if (start !== undefined) {
    level.set(start, 0);
    order.push(start);
    for (let i = 0; i < order.length; i++) {
      const id = order[i];
      for (const n of next.get(id) ?? []) {
        if (level.has(n)) continue;
        level.set(n, level.get(id)! + 1);
        parent.set(n, id);
        order.push(n);
      }
    }
  }
  const deepest = Math.max(0, ...level.values());
  for (const n of data.nodes) {
    if (!level.has(n.id)) {
      level.set(n.id, deepest + 1);
      order.push(n.id);
    }
  }
  return { order, parent, level };
}

/** Hop distance of every node from the focus. */
export function hopLevels(data: GraphData, focus: string | undefined): Map<string, number> {
  return bfsTree(data, focus).level;
}

/** Positions of the radial tree layout. */
export function radialPositions(data: GraphData, focus: string | undefined): Map<string, Point> {
  const { order, parent, level } = bfsTree(data, focus);
  const size = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i];
    const own = (size.get(id) ?? 0) + 1;
    size.set(id, own);
    const up = parent.get(id);
    if (up !== undefined) size.set(up, (size.get(up) ?? 0) + own);
  }
  // angular sectors: each node's children share its sector in proportion to their subtree sizes
  const sector = new Map<string, [number, number]>();
  const cursor = new Map<string, number>();
  const roots = order.filter((id) => !parent.has(id) && level.get(id) === 0);
  const stray = order.filter((id) => !parent.has(id) && level.get(id) !== 0);
  const whole = (roots[0] !== undefined ? size.get(roots[0])! - 1 : 0) + stray.length || 1;
  if (roots[0] !== undefined) {
    sector.set(roots[0], [0, ((size.get(roots[0])! - 1) / whole) * 2 * Math.PI]);
    cursor.set(roots[0], 0);
  }
  let strayAt = roots[0] !== undefined ? sector.get(roots[0])![1] : 0;
  const strayStep = (2 * Math.PI - strayAt) / (stray.length || 1);
  for (const id of stray) {
    sector.set(id, [strayAt, strayAt + strayStep]);
    strayAt += strayStep;
  }
  for (const id of order) {
    const up = parent.get(id);
    if (up === undefined) continue;
    const [from, to] = sector.get(up)!;
    const inner = size.get(up)! - 1 || 1;
    const start = from + cursor.get(up)!;
    const width = ((to - from) * size.get(id)!) / inner;
    cursor.set(up, cursor.get(up)! + width);
    sector.set(id, [start, start + width]);
    cursor.set(id, 0);
  }
  return place(order, level, sector);
}

function place(order: string[], level: Map<string, number>, sector: Map<string, [number, number]>): Map<string, Point> {
  const rings = new Map<number, string[]>();
  for (const id of order) {
    const k = level.get(id)!;
    const ring = rings.get(k);
    if (ring) ring.push(id);
    else rings.set(k, [id]);
  }
  const at = new Map<string, Point>();
  let radius = 0;
  for (const k of [...rings.keys()].sort((a, b) => a - b)) {
    const ring = rings.get(k)!;
    if (k === 0) {
      for (const id of ring) at.set(id, { x: 0, y: 0 });
      radius = RING_GAP;
      continue;
    }
    const lanes = Math.max(1, Math.ceil((ring.length * SPACING) / (2 * Math.PI * radius)));
    ring.forEach((id, i) => {
      const [from, to] = sector.get(id)!;
      const angle = (from + to) / 2;
      const r = radius + (i % lanes) * LANE_GAP;
      at.set(id, { x: r * Math.cos(angle), y: r * Math.sin(angle) });
    });
    radius += (lanes - 1) * LANE_GAP + RING_GAP;
  }
  return at;
}
