// A decision that is not in the review queue: what it decided, and for an automatic decision the appeal form that
// queues it (POST /v1/decisions/{id}/review). The reviewer who reopens never decides it: another reviewer must.
import { Alert, App, Button, Descriptions, Form, Input, Skeleton, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import ToneTag from "../../components/graph/ToneTag";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { useCan } from "../../session";
import { money, rate, TIER_COLOURS, words } from "./labels";
import { reopen } from "./reviewApi";

type Decision = components["schemas"]["DecisionOut"];

const dict: Dict = {
  zh: {
    title: "决策 {id}",
    notQueued: "此决策不在人工审核队列中。",
    outcome: "结论",
    tier: "分层",
    limit: "额度",
    rate: "利率",
    reasons: "原因",
    appeal: "申诉：重新提交人工审核",
    appealHelp: "提交后由另一位审核人认领并决定（四眼原则）；您本人不能决定此案件。",
    comment: "申诉理由",
    commentRequired: "请填写申诉理由",
    reopen: "提交审核",
    reopened: "已提交人工审核",
  },
  en: {
    title: "Decision {id}",
    notQueued: "This decision is not in the review queue.",
    outcome: "Outcome",
    tier: "Tier",
    limit: "Limit",
    rate: "Rate",
    reasons: "Reasons",
    appeal: "Appeal: queue for a manual review",
    appealHelp: "Another reviewer will claim and decide it (four eyes); you cannot decide it yourself.",
    comment: "Reason for the appeal",
    commentRequired: "Write the reason for the appeal",
    reopen: "Queue for review",
    reopened: "Queued for review",
  },
};

export default function NotQueued({ decisionId, onReopened }: { decisionId: string; onReopened: () => void }) {
  const t = useT(dict);
  const w = useT(words);
  const lang = useLang();
  const can = useCan();
  const { message } = App.useApp();
  const [decision, setDecision] = useState<Decision | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api
      .GET("/v1/decisions/{decision_id}", { params: { path: { decision_id: decisionId } } })
      .then((r) => setDecision(unwrap(r)))
      .catch((err: Error) => setError(err.message));
  }, [decisionId]);

  const submit = async ({ comment }: { comment: string }) => {
    setBusy(true);
    try {
      await reopen(decisionId, comment.trim());
      message.success(t("reopened"));
      onReopened();
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (error) return <Alert type="error" showIcon message={error} />;
  if (!decision) return <Skeleton active />;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size={16} data-testid="not-queued">
      <Typography.Title level={2}>{t("title", { id: decisionId })}</Typography.Title>
      <Alert type="info" showIcon message={t("notQueued")} />
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }}>
        <Descriptions.Item label={t("outcome")}>{decision.final_outcome ? w(decision.final_outcome) : w(decision.status)}</Descriptions.Item>
        <Descriptions.Item label={t("tier")}>
          <ToneTag tone={TIER_COLOURS[decision.tier]}>{w(decision.tier)}</ToneTag>
        </Descriptions.Item>
        <Descriptions.Item label={t("limit")}>{money(decision.limit_cents, lang)}</Descriptions.Item>
        <Descriptions.Item label={t("rate")}>{rate(decision.rate_bp)}</Descriptions.Item>
        <Descriptions.Item label={t("reasons")} span={2}>
          {decision.reasons.map((r) => (lang === "zh" ? r.text_zh : r.text)).join("；") || "—"}
        </Descriptions.Item>
      </Descriptions>
      {can("review.decide") && decision.status === "final" && (
        <Form layout="vertical" onFinish={submit} style={{ maxWidth: 640 }}>
          <Typography.Title level={3} style={{ fontSize: 16 }}>
            {t("appeal")}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t("appealHelp")}</Typography.Paragraph>
          <Form.Item name="comment" label={t("comment")} rules={[{ required: true, whitespace: true, message: t("commentRequired") }]}>
            <Input.TextArea rows={3} maxLength={2000} showCount data-testid="reopen-comment" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="reopen">
            {t("reopen")}
          </Button>
        </Form>
      )}
    </Space>
  );
}
