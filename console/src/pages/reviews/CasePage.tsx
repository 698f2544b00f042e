// The case view of one review: the decision (outcome, tier, limit, rate, reasons), the relationship graph around
// the applicant, the rule trace, the stored data by dimension, and beside them the actions and the history.
// A decision that was never queued shows itself with the appeal (reopen) form instead.
// `performance.mark("case-interactive")` is set once the case is shown, the graph is laid out and the actions
// are usable: the browser tests measure time to interactive from navigation start to that mark.
import { ArrowLeftOutlined, ReloadOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Row, Skeleton, Space, Typography } from "antd";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { Link, useParams } from "react-router-dom";
import ToneTag from "../../components/graph/ToneTag";
import { useT, type Dict } from "../../i18n";
import { useSession } from "../../session";
import CaseActions from "./CaseActions";
import CaseData from "./CaseData";
import { DecisionSummary, Reasons, RuleTrace } from "./CaseDecision";
import CaseGraph from "./CaseGraph";
import CaseHistory from "./CaseHistory";
import { STATUS_COLOURS, TIER_COLOURS, words } from "./labels";
import NotQueued from "./NotQueued";
import { getCase, type Case } from "./reviewApi";

const dict: Dict = {
  zh: {
    title: "审核案件",
    back: "返回队列",
    reload: "刷新",
    decision: "决策结果与原因",
    graph: "关系图谱",
    trace: "规则轨迹",
    data: "分维度数据",
    actions: "审核操作",
    history: "审核记录",
  },
  en: {
    title: "Review case",
    back: "Back to the queue",
    reload: "Reload",
    decision: "Decision and reasons",
    graph: "Relationship graph",
    trace: "Rule trace",
    data: "Data by dimension",
    actions: "Actions",
    history: "History",
  },
};

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Card
      size="small"
      style={{ marginBottom: 16 }}
      data-testid={testId}
      title={
        <Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>
          {title}
        </Typography.Title>
      }
    >
      {children}
    </Card>
  );
}

/** Mark the page interactive once both the case and its graph are ready (once per page). */
function useInteractive(caseReady: boolean) {
  const [graphReady, setGraphReady] = useState(false);
  const marked = useRef(false);
  const done = caseReady && graphReady;
  useEffect(() => {
    if (done && !marked.current) {
      marked.current = true;
      performance.mark("case-interactive");
    }
  }, [done]);
  return { interactive: done, graphDrawn: useCallback(() => setGraphReady(true), []) };
}

export default function CasePage() {
  const t = useT(dict);
  const w = useT(words);
  const { decisionId = "" } = useParams();
  const me = useSession().me!.principal;
  const [found, setFound] = useState<Case | null>(null);
  const [error, setError] = useState<{ status?: number; message: string } | null>(null);
  const [loading, setLoading] = useState(true);
  const { interactive, graphDrawn } = useInteractive(found !== null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setFound(await getCase(decisionId));
      setError(null);
    } catch (err) {
      setError({ status: (err as { status?: number }).status, message: (err as Error).message });
    } finally {
      setLoading(false);
    }
  }, [decisionId]);
  useEffect(() => void load(), [load]);

  const head = (
    <div style={{ marginBottom: 8 }}>
      <Link to="/reviews">
        <ArrowLeftOutlined /> {t("back")}
      </Link>
    </div>
  );
  if (!found) {
    if (loading) return <>{head}<Skeleton active /></>;
    if (error?.status === 404) return <>{head}<NotQueued decisionId={decisionId} onReopened={load} /></>;
    return <>{head}<Alert type="error" showIcon message={error?.message} /></>;
  }
  const { review, decision, data } = found;
  const code = typeof data.application.credit_code === "string" ? data.application.credit_code : null;
  return (
    <div data-testid="case-page" data-interactive={interactive ? "true" : "false"}>
      {head}
      <Space align="center" wrap style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t("title")} <Typography.Text code style={{ fontSize: 18 }}>{decisionId}</Typography.Text>
        </Typography.Title>
        <ToneTag tone={TIER_COLOURS[review.tier]}>{w(review.tier)}</ToneTag>
        <ToneTag tone={STATUS_COLOURS[review.status]} testId="review-status">
          {w(review.status)}
        </ToneTag>
        <Button icon={<ReloadOutlined />} size="small" onClick={() => void load()} loading={loading}>
          {t("reload")}
        </Button>
      </Space>
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Section title={t("decision")}>
            <Space direction="vertical" style={{ width: "100%" }} size={12}>
              <DecisionSummary decision={decision} />
              <Reasons decision={decision} />
            </Space>
          </Section>
        </Col>
        <Col xs={24} xl={8}>
          <Section title={t("actions")}>
            <CaseActions review={review} me={me} onChanged={() => void load()} />
          </Section>
          <Section title={t("history")}>
            <CaseHistory history={review.history} />
          </Section>
        </Col>
      </Row>
      <Section title={t("graph")} testId="case-graph">
        <CaseGraph creditCode={code} onReady={graphDrawn} />
      </Section>
      <Section title={t("trace")}>
        <RuleTrace decision={decision} />
      </Section>
      <Section title={t("data")}>
        <CaseData data={data} />
      </Section>
    </div>
  );
}
