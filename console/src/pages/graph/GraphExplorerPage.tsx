// The graph explorer: find an enterprise by credit code (whole or a 6+ character prefix) or exact name, draw its
// neighbourhood, click an enterprise node to expand it, and find the shortest path between two enterprises,
// highlighted on the canvas and listed in order beside it. The enterprise shown is kept in the address (?code=).
import { ApartmentOutlined, NodeIndexOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, Descriptions, Empty, Input, Row, Space, Table, Typography } from "antd";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";
import Choice from "../../components/graph/Choice";
import GraphFacts from "../../components/graph/GraphFacts";
import GraphLegend from "../../components/graph/GraphLegend";
import GraphView from "../../components/graph/GraphView";
import { asData, enterpriseId, neighbourhood, searchEnterprises, shortestPath, type EnterpriseHit, type GraphPath } from "../../components/graph/graphApi";
import { mergeGraphs, pathIds, type GraphData } from "../../components/graph/types";
import { useT, type Dict } from "../../i18n";

const dict: Dict = {
  zh: {
    title: "关系图谱",
    intro: "按统一社会信用代码（完整或至少 6 位前缀）或企业全称检索；点击企业节点展开其关系；查找两家企业之间的最短路径。",
    search: "检索企业",
    searchHint: "统一社会信用代码或企业全称",
    results: "检索结果",
    name: "企业名称",
    code: "统一社会信用代码",
    industry: "行业",
    status: "状态",
    inGraph: "在图谱中",
    yes: "是",
    no: "否",
    view: "查看关系",
    noHits: "没有找到匹配的企业",
    hops: "关系层数",
    hop: "{n} 跳",
    path: "两企业间最短路径",
    source: "起点企业代码",
    target: "终点企业代码",
    find: "查找路径",
    clear: "清除路径",
    pathFound: "找到路径：{n} 步关系，紧密度 {c}",
    node: "选中节点",
    kind: "类型",
    ref: "标识",
    expand: "展开此企业",
    expanded: "已展开 {name}：新增 {n} 个节点",
    clickHint: "点击企业节点展开其一跳关系；点击表格行在图中定位。",
    graph: "{code} 的关系图：{nodes} 个节点、{edges} 条关系；明细见旁边的表格",
    empty: "检索一家企业开始探索",
    asTarget: "设为路径终点",
  },
  en: {
    title: "Graph explorer",
    intro: "Find an enterprise by credit code (whole or a prefix of 6+ characters) or exact registered name; click an enterprise node to expand it; find the shortest path between two enterprises.",
    search: "Find an enterprise",
    searchHint: "Credit code or registered name",
    results: "Results",
    name: "Name",
    code: "Credit code",
    industry: "Industry",
    status: "Status",
    inGraph: "In graph",
    yes: "yes",
    no: "no",
    view: "Explore",
    noHits: "No enterprise matches",
    hops: "Hops",
    hop: "{n} hop(s)",
    path: "Shortest path between two enterprises",
    source: "From credit code",
    target: "To credit code",
    find: "Find path",
    clear: "Clear path",
    pathFound: "Path found: {n} relation(s), closeness {c}",
    node: "Selected node",
    kind: "Kind",
    ref: "Reference",
    expand: "Expand this enterprise",
    expanded: "Expanded {name}: {n} new nodes",
    clickHint: "Click an enterprise node to expand its ties; click a table row to find it on the canvas.",
    graph: "Relationship graph of {code}: {nodes} nodes, {edges} relations; the table beside it lists them",
    empty: "Find an enterprise to start",
    asTarget: "Use as path target",
  },
};

function SearchResults({ hits, onPick }: { hits: EnterpriseHit[]; onPick: (code: string) => void }) {
  const t = useT(dict);
  return (
    <Table
      size="small"
      rowKey="credit_code"
      aria-label={t("results")}
      data-testid="search-results"
      dataSource={hits}
      locale={{ emptyText: t("noHits") }}
      pagination={{ pageSize: 5, hideOnSinglePage: true, size: "small" }}
      columns={[
        { title: t("name"), dataIndex: "name", render: (n: string | null) => n ?? "—" },
        { title: t("code"), dataIndex: "credit_code", render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
        { title: t("industry"), dataIndex: "industry_section", width: 80 },
        { title: t("status"), dataIndex: "status", width: 100 },
        { title: t("inGraph"), dataIndex: "in_graph", width: 90, render: (v: boolean) => (v ? t("yes") : t("no")) },
        {
          title: "",
          key: "go",
          width: 110,
          render: (_, h) => (
            <Button size="small" type="primary" disabled={!h.in_graph} onClick={() => onPick(h.credit_code)} data-testid={`explore-${h.credit_code}`}>
              {t("view")}
            </Button>
          ),
        },
      ]}
    />
  );
}

function usePageGraph(code: string | null, hops: number) {
  const [data, setData] = useState<GraphData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!code) return;
    let live = true;
    setLoading(true);
    neighbourhood(code, hops, 1500)
      .then((g) => live && (setData(asData(g)), setError(null)))
      .catch((err: Error) => live && setError(err.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [code, hops]);
  return { data, setData, error, loading };
}

export default function GraphExplorerPage() {
  const t = useT(dict);
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const code = params.get("code");
  const [hops, setHops] = useState(1);
  const [hits, setHits] = useState<EnterpriseHit[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [picked, setPicked] = useState<string | undefined>();
  const [path, setPath] = useState<GraphPath | null>(null);
  const [target, setTarget] = useState("");
  const [finding, setFinding] = useState(false);
  const { data, setData, error, loading } = usePageGraph(code, hops);

  useEffect(() => setPath(null), [code]);
  const shown = useMemo(() => (data && path ? mergeGraphs(data, asData(path)) : data), [data, path]);
  const highlight = useMemo(() => (path ? pathIds(asData(path)) : undefined), [path]);
  const node = shown?.nodes.find((n) => n.id === picked);

  const search = async (q: string) => {
    if (!q.trim()) return;
    setSearching(true);
    try {
      const found = await searchEnterprises(q.trim());
      setHits(found.items);
      if (found.items.length === 1 && found.items[0].in_graph) setParams({ code: found.items[0].credit_code });
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setSearching(false);
    }
  };

  const expand = useCallback(
    async (id: string) => {
      const hit = data?.nodes.find((n) => n.id === id);
      if (!hit || hit.kind !== "enterprise" || !hit.ref) return;
      try {
        const more = asData(await neighbourhood(hit.ref, 1, 500));
        setData((old) => {
          const merged = old ? mergeGraphs(old, more) : more;
          message.info(t("expanded", { name: hit.label, n: merged.nodes.length - (old?.nodes.length ?? 0) }));
          return merged;
        });
      } catch (err) {
        message.error((err as Error).message);
      }
    },
    [data, setData, message, t],
  );

  const onNodeClick = useCallback(
    (id: string) => {
      setPicked(id);
      void expand(id);
    },
    [expand],
  );

  const findPath = async () => {
    if (!code || !target.trim()) return;
    setFinding(true);
    try {
      const found = await shortestPath(code, target.trim());
      setPath(found);
      message.success(t("pathFound", { n: found.edges.length, c: found.closeness.toFixed(3) }));
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setFinding(false);
    }
  };

  return (
    <>
      <Typography.Title level={2}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("intro")}</Typography.Paragraph>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <Input.Search
            aria-label={t("search")}
            placeholder={t("searchHint")}
            enterButton={t("search")}
            loading={searching}
            onSearch={search}
            allowClear
            style={{ maxWidth: 560 }}
            data-testid="graph-search"
          />
          {hits && <SearchResults hits={hits} onPick={(c) => setParams({ code: c })} />}
        </Space>
      </Card>
      {!code ? (
        <Empty description={t("empty")} image={<ApartmentOutlined style={{ fontSize: 48, color: "#8c8c8c" }} />} />
      ) : (
        <Card
          size="small"
          title={
            <Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>
              {data?.nodes.find((n) => n.id === enterpriseId(code))?.label ?? code} <Typography.Text type="secondary">{code}</Typography.Text>
            </Typography.Title>
          }
        >
          <Space direction="vertical" style={{ width: "100%" }} size={12}>
            <Space wrap>
              <Typography.Text aria-hidden>{t("hops")}</Typography.Text>
              <Choice<number> label={t("hops")} value={hops} onChange={setHops} options={[1, 2, 3].map((n) => ({ value: n, label: t("hop", { n }) }))} />
              <Typography.Text type="secondary">{t("clickHint")}</Typography.Text>
            </Space>
            <Space wrap>
              <Typography.Text strong>{t("path")}</Typography.Text>
              <Input aria-label={t("source")} value={code} readOnly style={{ width: 200 }} />
              <Input aria-label={t("target")} placeholder={t("target")} value={target} onChange={(e) => setTarget(e.target.value)} style={{ width: 200 }} data-testid="path-target" />
              <Button icon={<NodeIndexOutlined />} type="primary" onClick={findPath} loading={finding} disabled={!target.trim()} data-testid="find-path">
                {t("find")}
              </Button>
              {path && <Button onClick={() => setPath(null)}>{t("clear")}</Button>}
            </Space>
            <GraphLegend />
            {error && <Alert type="error" showIcon message={error} />}
            <Row gutter={16}>
              <Col xs={24} lg={15}>
                {shown ? (
                  <GraphView
                    data={shown}
                    focus={enterpriseId(code)}
                    highlight={highlight}
                    selected={picked}
                    onNodeClick={onNodeClick}
                    height={560}
                    ariaLabel={t("graph", { code, nodes: shown.nodes.length, edges: shown.edges.length })}
                  />
                ) : (
                  <div style={{ height: 560 }}>{loading ? null : <Empty />}</div>
                )}
              </Col>
              <Col xs={24} lg={9}>
                <Space direction="vertical" style={{ width: "100%" }} size={12}>
                  {node && (
                    <>
                      <Descriptions bordered size="small" column={1} title={t("node")} data-testid="picked-node">
                        <Descriptions.Item label={t("name")}>{node.label}</Descriptions.Item>
                        <Descriptions.Item label={t("kind")}>{node.kind}</Descriptions.Item>
                        <Descriptions.Item label={t("ref")}>{node.ref}</Descriptions.Item>
                      </Descriptions>
                      {node.kind === "enterprise" && node.ref && node.ref !== code && (
                        <Space wrap>
                          <Button size="small" onClick={() => void expand(node.id)} data-testid="expand-node">
                            {t("expand")}
                          </Button>
                          <Button size="small" onClick={() => setTarget(node.ref ?? "")}>
                            {t("asTarget")}
                          </Button>
                        </Space>
                      )}
                    </>
                  )}
                  {shown && <GraphFacts data={shown} path={path ? asData(path) : null} onPick={setPicked} />}
                </Space>
              </Col>
            </Row>
          </Space>
        </Card>
      )}
    </>
  );
}
