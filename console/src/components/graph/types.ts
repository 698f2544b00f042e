// The graph the API answers (/v1/graph/…, an alert's propagation) in the shape every graph view draws.
export interface GraphNode {
  id: string;
  kind: string; // enterprise | person | phone | address | …
  label: string;
  ref?: string; // credit code of an enterprise, else a keyed token (the API's `ref`)
  flags?: Record<string, unknown>; // applicant, gang_member, gang_id, known_bad, shared, on_path …
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: string; // the relation: legal_rep, shareholding, guarantee, uses_phone …
  group?: string; // control | guarantee | trade | litigation | shared_identifier | application | other
  flags?: Record<string, unknown>;
}

export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The flag of a node as a boolean (flags come from JSON). */
export function flag(node: GraphNode, name: string): boolean {
  return node.flags?.[name] === true;
}

/** `a` with the nodes and edges of `b` it lacks (expanding a graph keeps what is drawn). */
export function mergeGraphs(a: GraphData, b: GraphData): GraphData {
  const nodes = new Map(a.nodes.map((n) => [n.id, n]));
  const edgeIds = new Set(a.edges.map((e) => e.id));
  if (b.nodes.every((n) => nodes.has(n.id)) && b.edges.every((e) => edgeIds.has(e.id))) return a; // nothing new: no redraw
  for (const n of b.nodes) {
    const old = nodes.get(n.id);
    // keep the applicant flag of the first graph; take the newer flags otherwise
    nodes.set(n.id, old ? { ...n, flags: { ...n.flags, applicant: flag(old, "applicant") } } : n);
  }
  const edges = new Map(a.edges.map((e) => [e.id, e]));
  for (const e of b.edges) if (!edges.has(e.id)) edges.set(e.id, e);
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** The ids of a path's nodes and edges (to highlight it). */
export function pathIds(path: GraphData): string[] {
  return [...path.nodes.map((n) => n.id), ...path.edges.map((e) => e.id)];
}
