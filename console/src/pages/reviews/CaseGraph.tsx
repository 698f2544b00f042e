// The relationship graph around the applicant: 2 hops first (expand to 3, or back to 1), shared identifiers and
// gang members highlighted with a legend, the shortest path to the nearest known-bad enterprise on demand, and
// the same facts in a table beside the canvas. `onReady` fires when a graph is drawn (or could not be).
import { AimOutlined, ExpandAltOutlined } from "@ant-design/icons";
import { Alert, App, Button, Col, Row, Space, Spin, Typography } from "antd";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import Choice from "../../components/graph/Choice";
import GraphFacts from "../../components/graph/GraphFacts";
import GraphLegend from "../../components/graph/GraphLegend";
import GraphView from "../../components/graph/GraphView";
import { asData, enterpriseId, nearestBad, neighbourhood, type Graph, type GraphPath } from "../../components/graph/graphApi";
import { mergeGraphs, pathIds } from "../../components/graph/types";
import { useT, type Dict } from "../../i18n";

const dict: Dict = {
  zh: {
    hops: "关系层数",
    hop: "{n} 跳",
    expand: "再展开一层",
    nearest: "到最近已知风险企业的最短路径",
    nearestFound: "最近的已知风险企业：{name}（{code}），相距 {n} 步关系",
    nearestSelf: "申请企业本身即为已知风险企业",
    graph: "申请企业 {code} 的 {hops} 跳关系图：{nodes} 个节点、{edges} 条关系，已知风险 {bad}，团伙成员 {gang}，共用标识 {shared}；明细见旁边的表格",
    capped: "关系过多，已按上限截断显示（{nodes} 个节点）",
    loading: "正在加载关系图谱",
    noCode: "该申请未记录统一社会信用代码，无法绘制关系图谱。",
  },
  en: {
    hops: "Hops",
    hop: "{n} hop(s)",
    expand: "Expand one more hop",
    nearest: "Shortest path to the nearest known-bad enterprise",
    nearestFound: "Nearest known-bad enterprise: {name} ({code}), {n} relation(s) away",
    nearestSelf: "The applicant itself is known bad",
    graph: "{hops}-hop relationship graph of applicant {code}: {nodes} nodes, {edges} relations, known bad {bad}, gang members {gang}, shared identifiers {shared}; the table beside it lists them",
    capped: "Too many relations: the graph is cut at its cap ({nodes} nodes)",
    loading: "Loading the relationship graph",
    noCode: "The application stored no credit code, so there is no graph to draw.",
  },
};

export interface CaseGraphProps {
  creditCode: string | null;
  onReady: () => void;
}

function useNeighbourhood(code: string | null, hops: number) {
  const [graph, setGraph] = useState<Graph | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!code) return;
    let live = true;
    setLoading(true);
    neighbourhood(code, hops)
      .then((g) => live && (setGraph(g), setError(null)))
      .catch((err: Error) => live && setError(err.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [code, hops]);
  return { graph, error, loading };
}

export default function CaseGraph({ creditCode, onReady }: CaseGraphProps) {
  const t = useT(dict);
  const { message } = App.useApp();
  const [hops, setHops] = useState(2);
  const [path, setPath] = useState<GraphPath | null>(null);
  const [finding, setFinding] = useState(false);
  const [picked, setPicked] = useState<string | undefined>();
  const { graph, error, loading } = useNeighbourhood(creditCode, hops);
  const readyOnce = useRef(onReady);
  readyOnce.current = onReady;

  useEffect(() => {
    // nothing to draw: the page is usable all the same
    if (!creditCode || error) readyOnce.current();
  }, [creditCode, error]);

  const data = useMemo(() => {
    if (!graph) return null;
    const base = asData(graph);
    return path ? mergeGraphs(base, asData(path)) : base; // the path may leave the drawn hops
  }, [graph, path]);
  const highlight = useMemo(() => (path ? pathIds(asData(path)) : undefined), [path]);
  const ready = useCallback(() => readyOnce.current(), []);

  const findNearest = async () => {
    if (!creditCode) return;
    setFinding(true);
    try {
      const found = await nearestBad(creditCode);
      setPath(found);
      const last = found.nodes[found.nodes.length - 1];
      message.info(
        found.nodes.length <= 1
          ? t("nearestSelf")
          : t("nearestFound", { name: last.label, code: last.ref, n: found.edges.length }),
      );
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setFinding(false);
    }
  };

  if (!creditCode) return <Alert type="info" showIcon message={t("noCode")} />;
  const counts = graph?.counts;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size={12}>
      <Space wrap>
        <Typography.Text aria-hidden>{t("hops")}</Typography.Text>
        <Choice<number> label={t("hops")} value={hops} onChange={setHops} options={[1, 2, 3].map((n) => ({ value: n, label: t("hop", { n }) }))} testId="hops" />
        <Button icon={<ExpandAltOutlined />} disabled={hops >= 3 || loading} onClick={() => setHops(hops + 1)} data-testid="expand-hops">
          {t("expand")}
        </Button>
        <Button icon={<AimOutlined />} onClick={findNearest} loading={finding} data-testid="nearest-bad">
          {t("nearest")}
        </Button>
      </Space>
      <GraphLegend />
      {error && <Alert type="error" showIcon message={error} />}
      {graph?.capped && <Alert type="warning" showIcon message={t("capped", { nodes: graph.counts.nodes })} />}
      <Row gutter={16}>
        <Col xs={24} lg={15}>
          <Spin spinning={loading} tip={t("loading")}>
            {data ? (
              <GraphView
                data={data}
                focus={enterpriseId(creditCode)}
                highlight={highlight}
                selected={picked}
                onNodeClick={setPicked}
                onReady={ready}
                height={520}
                ariaLabel={t("graph", {
                  code: creditCode,
                  hops: graph?.hops ?? hops,
                  nodes: counts?.nodes ?? 0,
                  edges: counts?.edges ?? 0,
                  bad: counts?.known_bad ?? 0,
                  gang: counts?.gang_members ?? 0,
                  shared: counts?.shared ?? 0,
                })}
              />
            ) : (
              <div style={{ height: 520 }} />
            )}
          </Spin>
        </Col>
        <Col xs={24} lg={9}>{data && <GraphFacts data={data} path={path ? asData(path) : null} onPick={setPicked} />}</Col>
      </Row>
    </Space>
  );
}
