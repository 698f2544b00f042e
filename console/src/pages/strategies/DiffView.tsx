// Pick two versions, see what changed rule by rule: rows added (green), removed (red), changed (cells struck out
// and replaced), node by node. The diff itself is ruleDiff.ts.
import { Alert, Card, Empty, Select, Space, Table, Tag, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { useT } from "../../i18n";
import { SOLID } from "../models/Accessible";
import { dict, statusKey } from "./dict";
import { diffGraphs, diffSummary, type NodeDiff, type RowChange } from "./ruleDiff";
import type { StrategyVersion } from "./studioApi";

const KIND_COLOUR = { added: SOLID.green, removed: SOLID.red, changed: SOLID.orange } as const;
const ROW_BG = { added: "#f0f9eb", removed: "#fff1f0", changed: "#fffbe6" } as const;

function Cells({ row }: { row: RowChange }) {
  const t = useT(dict);
  const names = row.kind === "changed" ? row.changed : row.changed.filter((n) => (row.after ?? row.before)?.[n]);
  return (
    <Space direction="vertical" size={2}>
      {names.map((n) => (
        <span key={n}>
          <Typography.Text type="secondary">{n}: </Typography.Text>
          {row.kind === "changed" ? (
            <>
              <del aria-label={t("before")} style={{ background: "#ffccc7", color: "#5c0011" }}>
                {row.before?.[n] || "∅"}
              </del>{" "}
              →{" "}
              <ins aria-label={t("after")} style={{ background: "#d9f7be", color: "#092b00", textDecoration: "none" }}>
                {row.after?.[n] || "∅"}
              </ins>
            </>
          ) : (
            <Typography.Text code>{(row.after ?? row.before)?.[n]}</Typography.Text>
          )}
        </span>
      ))}
    </Space>
  );
}

function NodeCard({ node }: { node: NodeDiff }) {
  const t = useT(dict);
  const title = (
    <Space>
      <Typography.Text strong>{node.node}</Typography.Text>
      <Tag>{node.type}</Tag>
      {node.status === "added" && <Tag color={SOLID.green}>{t("nodeAdded")}</Tag>}
      {node.status === "removed" && <Tag color={SOLID.red}>{t("nodeRemoved")}</Tag>}
    </Space>
  );
  return (
    <Card size="small" title={title} data-testid={`diff-node-${node.node}`}>
      {node.settings.length > 0 && (
        <Typography.Paragraph>
          {t("settings")}: {node.settings.join("; ")}
        </Typography.Paragraph>
      )}
      {node.rows.length > 0 && (
        <Table<RowChange>
          aria-label={`${t("diff")} ${node.node}`}
          size="small"
          rowKey={(r) => `${r.kind}-${r.id}`}
          pagination={false}
          dataSource={node.rows}
          onRow={(r) => ({ style: { background: ROW_BG[r.kind] }, "data-testid": `diff-row-${r.kind}` } as object)}
          columns={[
            { title: t("rule"), dataIndex: "id", width: 120 },
            {
              title: t("change"),
              dataIndex: "kind",
              width: 90,
              render: (k: RowChange["kind"]) => <Tag color={KIND_COLOUR[k]}>{t(k)}</Tag>,
            },
            { title: t("cells"), key: "cells", render: (_: unknown, r) => <Cells row={r} /> },
          ]}
        />
      )}
    </Card>
  );
}

export function DiffView({
  versions,
  initialB,
  load,
}: {
  versions: StrategyVersion[];
  initialB: number | null;
  load: (version: number) => Promise<string>;
}) {
  const t = useT(dict);
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const [b, setB] = useState<number | null>(initialB ?? sorted.at(-1)?.version ?? null);
  const [a, setA] = useState<number | null>(() => {
    const base = sorted.filter((v) => v.version !== b);
    return (base.find((v) => v.status === "active") ?? base.at(-1))?.version ?? null;
  });
  const [docs, setDocs] = useState<{ a: string; b: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (a === null || b === null) return;
    setError(null);
    Promise.all([load(a), load(b)])
      .then(([da, db]) => setDocs({ a: da, b: db }))
      .catch((e: Error) => setError(e.message));
  }, [a, b, load]);

  const diff = useMemo(() => (docs ? diffGraphs(docs.a, docs.b) : []), [docs]);
  const summary = diffSummary(diff);
  const options = sorted.map((v) => ({ value: v.version, label: `v${v.version} · ${t(statusKey(v.status))}` }));

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="diff-view">
      <Space wrap>
        <label>
          {t("diffA")}{" "}
          <Select aria-label={t("diffA")} data-testid="diff-a" style={{ width: 180 }} value={a} options={options} onChange={setA} />
        </label>
        <label>
          {t("diffB")}{" "}
          <Select aria-label={t("diffB")} data-testid="diff-b" style={{ width: 180 }} value={b} options={options} onChange={setB} />
        </label>
      </Space>
      {error && <Alert type="error" showIcon message={error} />}
      {docs && (
        <Alert
          type={summary.nodes ? "info" : "success"}
          data-testid="diff-summary"
          message={summary.nodes ? t("diffSummary", summary) : t("noDiff")}
        />
      )}
      {diff.filter((d) => d.status !== "same").map((d) => (
        <NodeCard key={d.node} node={d} />
      ))}
      {!docs && !error && <Empty description={t("pickVersion")} />}
    </Space>
  );
}
