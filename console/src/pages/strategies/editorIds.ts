// The JDM editor names its graph tab "graph" and hides the graph whenever a node has that id (the reference
// strategy's graph_fraud_signals node does). The editor sees such ids renamed; what it hands back is renamed back,
// so the stored JDM never changes because of the editor.
const RESERVED = new Set(["graph"]);
const SUFFIX = "__node";

type Doc = { nodes?: { id: string }[]; edges?: { sourceId?: string; targetId?: string }[] };

function rename(doc: Doc, map: (id: string) => string): Doc {
  return {
    ...doc,
    nodes: (doc.nodes ?? []).map((n) => ({ ...n, id: map(n.id) })),
    edges: (doc.edges ?? []).map((e) => ({
      ...e,
      ...(e.sourceId !== undefined ? { sourceId: map(e.sourceId) } : {}),
      ...(e.targetId !== undefined ? { targetId: map(e.targetId) } : {}),
    })),
  };
}

export function toEditor<T>(doc: T): T {
  return rename(doc as Doc, (id) => (RESERVED.has(id) ? id + SUFFIX : id)) as T;
}

export function fromEditor<T>(doc: T): T {
  return rename(doc as Doc, (id) =>
    id.endsWith(SUFFIX) && RESERVED.has(id.slice(0, -SUFFIX.length)) ? id.slice(0, -SUFFIX.length) : id,
  ) as T;
}
