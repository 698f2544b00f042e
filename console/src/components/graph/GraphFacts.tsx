// The graph's facts as a table beside the canvas (the canvas is an image to a screen reader): counts, the notable
// nodes (applicant, known bad, gang members, shared identifiers) or all of them, and a path in order when one is
// highlighted. Clicking a row marks the node on the canvas.
import { Space, Table, Typography } from "antd";
import Choice from "./Choice";
import ToneTag from "./ToneTag";
import { useEffect, useMemo, useState } from "react";
import { useT, type Dict } from "../../i18n";
import { flag, type GraphData, type GraphNode } from "./types";

const dict: Dict = {
  zh: {
    facts: "图谱明细",
    summary: "共 {nodes} 个节点、{edges} 条关系；已知风险 {bad}，团伙成员 {gang}，共用标识 {shared}",
    notable: "需关注",
    all: "全部",
    path: "路径",
    node: "节点",
    kind: "类型",
    flags: "标记",
    hop: "跳数",
    show: "显示范围",
    applicant: "申请企业",
    known_bad: "已知风险",
    gang_member: "团伙成员",
    shared: "共用标识",
    enterprise: "企业",
    person: "自然人",
    phone: "电话",
    address: "地址",
    device: "设备",
    ip: "IP",
    bank_account: "银行账户",
    email: "邮箱",
    application: "申请",
    none: "无需关注的节点",
  },
  en: {
    facts: "Graph facts",
    summary: "{nodes} nodes, {edges} relations; known bad {bad}, gang members {gang}, shared identifiers {shared}",
    notable: "Notable",
    all: "All",
    path: "Path",
    node: "Node",
    kind: "Kind",
    flags: "Flags",
    hop: "Step",
    show: "Show",
    applicant: "Applicant",
    known_bad: "Known bad",
    gang_member: "Gang member",
    shared: "Shared",
    enterprise: "Enterprise",
    person: "Person",
    phone: "Phone",
    address: "Address",
    device: "Device",
    ip: "IP",
    bank_account: "Bank account",
    email: "E-mail",
    application: "Application",
    none: "No notable nodes",
  },
};

const FLAG_COLOURS: Record<string, string> = { applicant: "orange", known_bad: "red", gang_member: "purple", shared: "gold" };

function notable(n: GraphNode): boolean {
  return flag(n, "applicant") || flag(n, "known_bad") || flag(n, "gang_member") || flag(n, "shared");
}

export interface GraphFactsProps {
  data: GraphData;
  path?: GraphData | null; // a highlighted path, listed in order
  onPick?: (id: string) => void;
}

export default function GraphFacts({ data, path, onPick }: GraphFactsProps) {
  const t = useT(dict);
  const [scope, setScope] = useState<"notable" | "all" | "path">("notable");
  useEffect(() => setScope(path ? "path" : "notable"), [path]);
  const shown = scope === "path" && !path ? "notable" : scope;
  const counts = useMemo(
    () => ({
      nodes: data.nodes.length,
      edges: data.edges.length,
      bad: data.nodes.filter((n) => flag(n, "known_bad")).length,
      gang: data.nodes.filter((n) => flag(n, "gang_member")).length,
      shared: data.nodes.filter((n) => flag(n, "shared")).length,
    }),
    [data],
  );
  const rows = useMemo(() => {
    if (shown === "path" && path) return path.nodes.map((n, i) => ({ ...n, step: i }));
    const list = shown === "all" ? data.nodes : data.nodes.filter(notable);
    return list.map((n) => ({ ...n, step: undefined as number | undefined }));
  }, [data, path, shown]);
  const options = [
    { label: t("notable"), value: "notable" },
    { label: t("all"), value: "all" },
    ...(path ? [{ label: t("path"), value: "path" }] : []),
  ];
  return (
    <section aria-label={t("facts")} data-testid="graph-facts">
      <Space direction="vertical" style={{ width: "100%" }} size={8}>
        <Typography.Text data-testid="graph-summary">{t("summary", counts)}</Typography.Text>
        <Choice<"notable" | "all" | "path"> label={t("show")} size="small" value={shown} options={options as { value: "notable" | "all" | "path"; label: string }[]} onChange={setScope} testId="facts-scope" />
        <Table
          size="small"
          rowKey="id"
          aria-label={t("facts")}
          dataSource={rows}
          locale={{ emptyText: t("none") }}
          pagination={{ pageSize: 8, size: "small", showSizeChanger: false, hideOnSinglePage: true }}
          onRow={(row) => ({ onClick: () => onPick?.(row.id), style: { cursor: onPick ? "pointer" : undefined } })}
          columns={[
            ...(shown === "path" ? [{ title: t("hop"), dataIndex: "step", width: 56 }] : []),
            {
              title: t("node"),
              dataIndex: "label",
              render: (label: string, row: GraphNode) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text>{label}</Typography.Text>
                  {row.kind === "enterprise" && row.ref ? (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {row.ref}
                    </Typography.Text>
                  ) : null}
                </Space>
              ),
            },
            { title: t("kind"), dataIndex: "kind", width: 90, render: (k: string) => t(k) },
            {
              title: t("flags"),
              key: "flags",
              render: (_: unknown, row: GraphNode) =>
                Object.keys(FLAG_COLOURS)
                  .filter((f) => flag(row, f))
                  .map((f) => (
                    <ToneTag key={f} tone={FLAG_COLOURS[f]}>
                      {t(f)}
                      {f === "gang_member" && row.flags?.gang_id ? ` ${String(row.flags.gang_id)}` : ""}
                    </ToneTag>
                  )),
            },
          ]}
        />
      </Space>
    </section>
  );
}
