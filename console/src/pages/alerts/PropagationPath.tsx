// How a propagated alert reached this enterprise: the hops from the warned source to it, drawn with GraphView and
// listed step by step (the same facts in text, for screen readers and for copying into a memo).
import { Card, Empty, Typography } from "antd";
import { useMemo } from "react";
import { Link } from "react-router-dom";
import GraphView from "../../components/graph/GraphView";
import type { GraphData, GraphNode } from "../../components/graph/types";
import { useT, type Dict } from "../../i18n";
import { postLoanDict } from "./labels";

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

export default function PropagationPath({
  hops,
  target,
  sourceAlertId,
}: {
  hops: Hop[];
  target: string;
  sourceAlertId: string | null;
}) {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const person = l("person");
  const data = useMemo(() => pathGraph(hops, target, person), [hops, target, person]);
  const highlight = useMemo(() => [...data.nodes.map((n) => n.id), ...data.edges.map((e) => e.id)], [data]);
  if (hops.length === 0) return <Empty description={t("none")} />;
  const kind = (k: string) => (l(`edge.${k}`) === `edge.${k}` ? k : l(`edge.${k}`));
  return (
    <Card title={<Typography.Title level={3} style={{ margin: 0 }}>{t("title")}</Typography.Title>} data-testid="propagation">
      <GraphView
        data={data}
        focus={target}
        highlight={highlight}
        height={280}
        ariaLabel={t("graph", { source: hops[0].from, n: hops.length, target })}
      />
      <Typography.Title level={4} style={{ marginTop: 16 }}>
        {t("steps")}
      </Typography.Title>
      <ol data-testid="propagation-steps">
        {hops.map((h, i) => (
          <li key={i}>
            {t("step", { i: i + 1, from: nodeLabel(h.from, person), to: nodeLabel(h.to, person), kind: kind(h.edge_kind) })}
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
