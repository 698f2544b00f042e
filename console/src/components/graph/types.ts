// The graph the API answers (/v1/graph/…, an alert's propagation) in the shape every graph view draws.
export interface GraphNode {
  id: string;
  kind: string; // enterprise | person | phone | address | …
  label: string;
  flags?: Record<string, unknown>; // applicant, gang_member, gang_id, known_bad, shared, on_path …
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: string; // control | guarantee | shared_phone | …
  flags?: Record<string, unknown>;
}

export interface GraphData {
  nodes: GraphNode[];
  edges: GraphEdge[];
}
