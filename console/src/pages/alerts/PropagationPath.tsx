// How a propagated alert reached this enterprise: the hops from the warned source to it, drawn with GraphView and
// listed step by step (the same facts in text, for screen readers and for copying into a memo). The API's
// `propagation` (the path drawn over the loaded graph: names, flags) is used when given; else the stored hops alone.
import { Card, Empty, Typography } from "antd";
import { useMemo } from "react";
import { Link } from "react-router-dom";
import GraphView from "../../components/graph/GraphView";
import type { GraphData, GraphNode } from "../../components/graph/types";
import type { components } from "../../api/schema";
import { useT, type Dict } from "../../i18n";
import { postLoanDict } from "./labels";

type Drawn = components["schemas"]["GraphOut"];

export interface Hop {
  from: string;
  to: string;
  edge_kind: string;
}

const dict: Dict = {
  zh: {
    title: "风险传导路径",
    graph: "风险传导路径图：从源头企业 {source} 经 {n} 步传导至本企业 {target}",
    steps: "传导步骤",
    step: "第 {i} 步：{from} → {to}（{kind}）",
    source: "源头预警",
    none: "直接触发的预警没有传导路径",
  },
  en: {
    title: "Propagation path",
    graph: "Propagation path: from the source enterprise {source} in {n} steps to this enterprise {target}",
    steps: "Steps",
    step: "Step {i}: {from} → {to} ({kind})",
    source: "Source alert",
    none: "A direct alert has no propagation path",
  },
};

// A keyed person token is 24 hex characters (ADR 0016); a credit code is 18 characters.
const isPerson = (id: string) => /^[0-9a-f]{24}$/.test(id);

export function pathGraph(hops: Hop[], target: string, personLabel: string): GraphData {
  const nodes = new Map<string, GraphNode>();
  const add = (id: string, flags: Record<string, unknown>) => {
    if (nodes.has(id)) return;
    const person = isPerson(id);
    nodes.set(id, {
      id,
      kind: person ? "person" : "enterprise",
      label: person ? `${personLabel} ${id.slice(0, 6)}…` : id,
      flags,
    });
  };
  hops.forEach((h, i) => {
    add(h.from, i === 0 ? { known_bad: true } : {});
    add(h.to, h.to === target ? { applicant: true } : {});
  });
  const edges = hops.map((h, i) => ({ id: `hop-${i}`, source: h.from, target: h.to, kind: h.edge_kind }));
  return { nodes: [...nodes.values()], edges };
}

export function nodeLabel(id: string, personLabel: string): string {
  return isPerson(id) ? `${personLabel} ${id.slice(0, 6)}…` : id;
}

/** The API's drawing of the path, in GraphView's shape; node ids are `<kind>:<ref>`. */
function fromApi(drawn: Drawn): { data: GraphData; labels: Map<string, string>; focusOf: (ref: string) => string } {
  const data: GraphData = {
    nodes: drawn.nodes.map((n) => ({ id: n.id, kind: n.kind, label: n.label || n.ref, ref: n.ref, flags: { ...n.flags } })),
    edges: drawn.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, kind: e.kind, group: e.group })),
  };
  const labels = new Map(drawn.nodes.map((n) => [n.ref, n.kind === "enterprise" ? `${n.label} (${n.ref})` : n.label]));
  const byRef = new Map(drawn.nodes.map((n) => [n.ref, n.id]));
  return { data, labels, focusOf: (ref) => byRef.get(ref) ?? ref };
}

export default function PropagationPath({
  hops,
  target,
  sourceAlertId,
  drawn,
}: {
  hops: Hop[];
  target: string;
  sourceAlertId: string | null;
  drawn?: Drawn | null;
}) {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const person = l("person");
  const { data, labels, focus } = useMemo(() => {
    if (drawn && drawn.nodes.length > 0) {
      const api = fromApi(drawn);
      return { data: api.data, labels: api.labels, focus: api.focusOf(target) };
    }
    return { data: pathGraph(hops, target, person), labels: new Map<string, string>(), focus: target };
  }, [drawn, hops, target, person]);
  const highlight = useMemo(() => [...data.nodes.map((n) => n.id), ...data.edges.map((e) => e.id)], [data]);
  const name = (ref: string) => labels.get(ref) ?? nodeLabel(ref, person);
  if (hops.length === 0) return <Empty description={t("none")} />;
  const kind = (k: string) => (l(`edge.${k}`) === `edge.${k}` ? k : l(`edge.${k}`));
  return (
    <Card title={<Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>{t("title")}</Typography.Title>} data-testid="propagation">
      <GraphView
        data={data}
        focus={focus}
        highlight={highlight}
        height={280}
        ariaLabel={t("graph", { source: name(hops[0].from), n: hops.length, target: name(target) })}
      />
      <Typography.Title level={4} style={{ marginTop: 16, fontSize: 14 }}>
        {t("steps")}
      </Typography.Title>
      <ol data-testid="propagation-steps">
        {hops.map((h, i) => (
          <li key={i}>
            {t("step", { i: i + 1, from: name(h.from), to: name(h.to), kind: kind(h.edge_kind) })}
          </li>
        ))}
      </ol>
      {sourceAlertId && (
        <Typography.Paragraph>
          {t("source")}: <Link to={`/alerts/${encodeURIComponent(sourceAlertId)}`}>{sourceAlertId}</Link>
        </Typography.Paragraph>
      )}
    </Card>
  );
}
