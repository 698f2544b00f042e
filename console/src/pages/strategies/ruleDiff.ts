// A rule-level diff of two JDM graphs: for every decision table, the rows added, removed or changed (matched by the
// rule's `_id`, the key the JDM editor gives each row), and for every expression node the expressions by key.
// Pure data in, data out, so the page only renders it.

export type Cells = Record<string, string>; // column label → cell text

export interface RowChange {
  id: string;
  kind: "added" | "removed" | "changed";
  before?: Cells;
  after?: Cells;
  changed: string[]; // labels of the cells that differ (every cell for added/removed)
}

export interface NodeDiff {
  node: string; // the node's name (its id when unnamed)
  type: string;
  status: "added" | "removed" | "changed" | "same";
  columns: string[]; // labels, in the table's order (after's columns first, then removed ones)
  rows: RowChange[];
  settings: string[]; // other differences: hit policy, columns added/removed
}

interface JdmNode {
  id: string;
  name?: string;
  type: string;
  content?: unknown;
}

interface Column {
  id: string;
  name?: string;
  field?: string;
}

interface Table {
  hitPolicy?: string;
  inputs?: Column[];
  outputs?: Column[];
  rules?: Record<string, unknown>[];
}

interface Expression {
  id: string;
  key: string;
  value: string;
}

/** The nodes of a JDM document given as JSON text or an object (none when it is not a graph). */
export function nodesOf(doc: unknown): JdmNode[] {
  const value = typeof doc === "string" ? safeParse(doc) : doc;
  if (value && typeof value === "object" && Array.isArray((value as { nodes?: unknown }).nodes)) {
    return (value as { nodes: JdmNode[] }).nodes;
  }
  return [];
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function label(col: Column): string {
  return col.field ? `${col.name ?? col.id} (${col.field})` : (col.name ?? col.id);
}

/** Every column of a table as id → label, with the rule's description first. */
function columnsOf(table: Table): Map<string, string> {
  const cols = new Map<string, string>([["_description", "description"]]);
  for (const c of [...(table.inputs ?? []), ...(table.outputs ?? [])]) cols.set(c.id, label(c));
  return cols;
}

function cellsOf(rule: Record<string, unknown>, cols: Map<string, string>): Cells {
  const cells: Cells = {};
  for (const [id, name] of cols) cells[name] = rule[id] === undefined || rule[id] === null ? "" : String(rule[id]);
  return cells;
}

function ruleKey(rule: Record<string, unknown>, index: number): string {
  return typeof rule._id === "string" && rule._id ? rule._id : `#${index + 1}`;
}

function diffCells(before: Cells, after: Cells): string[] {
  const names = new Set([...Object.keys(after), ...Object.keys(before)]);
  return [...names].filter((n) => (before[n] ?? "") !== (after[n] ?? ""));
}

function tableDiff(a: Table, b: Table): { columns: string[]; rows: RowChange[]; settings: string[] } {
  const colsA = columnsOf(a);
  const colsB = columnsOf(b);
  const columns = [...new Set([...colsB.values(), ...colsA.values()])];
  const settings: string[] = [];
  if ((a.hitPolicy ?? "") !== (b.hitPolicy ?? "")) settings.push(`hitPolicy: ${a.hitPolicy} → ${b.hitPolicy}`);
  for (const [id, name] of colsB) if (!colsA.has(id)) settings.push(`+ column ${name}`);
  for (const [id, name] of colsA) if (!colsB.has(id)) settings.push(`− column ${name}`);
  const before = new Map((a.rules ?? []).map((r, i) => [ruleKey(r, i), cellsOf(r, colsA)]));
  const rows: RowChange[] = [];
  const seen = new Set<string>();
  (b.rules ?? []).forEach((r, i) => {
    const id = ruleKey(r, i);
    seen.add(id);
    const after = cellsOf(r, colsB);
    const old = before.get(id);
    if (!old) rows.push({ id, kind: "added", after, changed: Object.keys(after) });
    else {
      const changed = diffCells(old, after);
      if (changed.length) rows.push({ id, kind: "changed", before: old, after, changed });
    }
  });
  for (const [id, old] of before) if (!seen.has(id)) rows.push({ id, kind: "removed", before: old, changed: Object.keys(old) });
  return { columns, rows, settings };
}

function expressionDiff(a: { expressions?: Expression[] }, b: { expressions?: Expression[] }): RowChange[] {
  const before = new Map((a.expressions ?? []).map((e) => [e.key, e.value]));
  const after = new Map((b.expressions ?? []).map((e) => [e.key, e.value]));
  const rows: RowChange[] = [];
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) rows.push({ id: key, kind: "added", after: { expression: value }, changed: ["expression"] });
    else if (old !== value) {
      rows.push({ id: key, kind: "changed", before: { expression: old }, after: { expression: value }, changed: ["expression"] });
    }
  }
  for (const [key, value] of before) {
    if (!after.has(key)) rows.push({ id: key, kind: "removed", before: { expression: value }, changed: ["expression"] });
  }
  return rows;
}

function nodeDiff(a: JdmNode | undefined, b: JdmNode | undefined): NodeDiff {
  const node = (b ?? a)!;
  const base = { node: node.name || node.id, type: node.type };
  if (!a || !b) {
    return { ...base, status: a ? "removed" : "added", columns: [], rows: [], settings: [] };
  }
  let columns: string[] = [];
  let rows: RowChange[] = [];
  let settings: string[] = [];
  if (b.type === "decisionTableNode" && a.type === b.type) {
    ({ columns, rows, settings } = tableDiff((a.content ?? {}) as Table, (b.content ?? {}) as Table));
  } else if (b.type === "expressionNode" && a.type === b.type) {
    columns = ["expression"];
    rows = expressionDiff((a.content ?? {}) as { expressions?: Expression[] }, (b.content ?? {}) as { expressions?: Expression[] });
  } else if (JSON.stringify(a.content ?? null) !== JSON.stringify(b.content ?? null) || a.type !== b.type) {
    settings = ["content"];
  }
  const status = rows.length || settings.length ? "changed" : "same";
  return { ...base, status, columns, rows, settings };
}

/** The node-by-node, rule-by-rule difference from version A to version B (nodes matched by id). */
export function diffGraphs(docA: unknown, docB: unknown): NodeDiff[] {
  const a = new Map(nodesOf(docA).map((n) => [n.id, n]));
  const b = nodesOf(docB);
  const out = b.map((n) => nodeDiff(a.get(n.id), n));
  const ids = new Set(b.map((n) => n.id));
  for (const [id, n] of a) if (!ids.has(id)) out.push(nodeDiff(n, undefined));
  return out;
}

/** Counts for the summary line. */
export function diffSummary(diff: NodeDiff[]): { added: number; removed: number; changed: number; nodes: number } {
  const rows = diff.flatMap((d) => d.rows);
  return {
    added: rows.filter((r) => r.kind === "added").length,
    removed: rows.filter((r) => r.kind === "removed").length,
    changed: rows.filter((r) => r.kind === "changed").length,
    nodes: diff.filter((d) => d.status !== "same").length,
  };
}
