// What the signed-in reviewer may do with this review now: claim it, give it back, or decide it with a comment.
// Four eyes are shown, not only enforced: whoever reopened an automatic decline, and whoever made the first
// decision of an override, sees who must act instead and gets no decide control. The API checks it all again.
import { Alert, App, Button, Form, Input, Radio, Space, Typography } from "antd";
import { useState } from "react";
import { useLang, useT, type Dict } from "../../i18n";
import { useCan } from "../../session";
import { when, words } from "./labels";
import { claim, claimBlock, decide, leaseRuns, release, type Case, type Outcome, type Review } from "./reviewApi";

const dict: Dict = {
  zh: {
    claim: "认领",
    release: "释放",
    decide: "提交决定",
    outcome: "审核结论",
    comment: "审核意见",
    commentHelp: "必填：写明依据，例如核实的发票或纳税记录",
    commentRequired: "请填写审核意见",
    outcomeRequired: "请选择审核结论",
    held: "您持有租约，至 {until}",
    heldBy: "{who} 正在处理（租约至 {until}）",
    readOnly: "您的角色只能查看此案件。",
    closed: "已结案：{outcome}",
    reopenedBy: "{who} 对自动拒绝提出申诉并重新提交审核。",
    reopenerSelf: "您提交了此申诉。按四眼原则，须由另一位审核人认领并决定。",
    overrideFirst: "{who} 已决定推翻自动拒绝（{outcome}），须由另一位审核人复核后生效。",
    overrideSelf: "您已决定推翻自动拒绝，须由另一位审核人复核。",
    overrideSecond: "您将作为第二审核人复核此推翻决定。",
    overrideNote: "批准自动拒绝的案件需第二位审核人复核。",
    claimedOk: "已认领，租约至 {until}",
    releasedOk: "已释放",
    decidedOk: "已提交：{status}",
    blockLease: "他人持有租约",
  },
  en: {
    claim: "Claim",
    release: "Release",
    decide: "Submit decision",
    outcome: "Outcome",
    comment: "Comment",
    commentHelp: "Required: say what it rests on, e.g. the invoices or tax filings checked",
    commentRequired: "Write a comment",
    outcomeRequired: "Choose an outcome",
    held: "You hold the lease until {until}",
    heldBy: "{who} is working on it (lease until {until})",
    readOnly: "Your roles may only read this case.",
    closed: "Closed: {outcome}",
    reopenedBy: "{who} reopened this automatic decline on appeal.",
    reopenerSelf: "You reopened this one. Four eyes: another reviewer must claim and decide it.",
    overrideFirst: "{who} decided to override the automatic decline ({outcome}); another reviewer must confirm it.",
    overrideSelf: "You decided to override the automatic decline; another reviewer must confirm it.",
    overrideSecond: "You are the second reviewer of this override.",
    overrideNote: "Approving an automatic decline needs a second reviewer.",
    claimedOk: "Claimed, lease until {until}",
    releasedOk: "Released",
    decidedOk: "Submitted: {status}",
    blockLease: "Someone else holds the lease",
  },
};

const AUTOMATIC_DECLINES = ["suggest_reject", "auto_reject"];

export interface CaseActionsProps {
  review: Case["review"];
  me: string;
  onChanged: () => void;
}

function FourEyes({ review, me }: { review: Review; me: string }) {
  const t = useT(dict);
  const w = useT(words);
  const notes = [];
  if (review.reopened_by) {
    notes.push(
      <Alert key="reopen" type="info" showIcon data-testid="reopened-by" message={review.reopened_by === me ? t("reopenerSelf") : t("reopenedBy", { who: review.reopened_by })} />,
    );
  }
  if (review.status === "awaiting_second") {
    const self = review.first_reviewer === me;
    notes.push(
      <Alert
        key="second"
        type="warning"
        showIcon
        data-testid="awaiting-second"
        message={self ? t("overrideSelf") : t("overrideFirst", { who: review.first_reviewer ?? "", outcome: w(review.first_outcome ?? "") })}
        description={self ? undefined : t("overrideSecond")}
      />,
    );
  } else if (AUTOMATIC_DECLINES.includes(review.tier) && review.status !== "closed") {
    notes.push(<Typography.Text key="note" type="secondary">{t("overrideNote")}</Typography.Text>);
  }
  return <>{notes}</>;
}

function DecideForm({ id, onDone }: { id: string; onDone: (r: Review) => void }) {
  const t = useT(dict);
  const w = useT(words);
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const submit = async (v: { outcome: Outcome; comment: string }) => {
    setBusy(true);
    try {
      onDone(await decide(id, v.outcome, v.comment.trim()));
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form layout="vertical" onFinish={submit} requiredMark data-testid="decide-form">
      <Form.Item name="outcome" label={t("outcome")} rules={[{ required: true, message: t("outcomeRequired") }]}>
        <Radio.Group>
          <Radio.Button value="approved" data-testid="outcome-approved">{w("approved")}</Radio.Button>
          <Radio.Button value="declined" data-testid="outcome-declined">{w("declined")}</Radio.Button>
        </Radio.Group>
      </Form.Item>
      <Form.Item
        name="comment"
        label={t("comment")}
        extra={t("commentHelp")}
        rules={[{ required: true, whitespace: true, message: t("commentRequired") }]}
      >
        <Input.TextArea rows={3} maxLength={2000} showCount data-testid="comment" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} data-testid="decide" block>
        {t("decide")}
      </Button>
    </Form>
  );
}

export default function CaseActions({ review, me, onChanged }: CaseActionsProps) {
  const t = useT(dict);
  const w = useT(words);
  const lang = useLang();
  const can = useCan();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async (call: () => Promise<Review>, done: (r: Review) => string) => {
    setBusy(true);
    try {
      message.success(done(await call()));
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setBusy(false);
      onChanged();
    }
  };

  if (review.status === "closed") {
    return <Alert type="success" showIcon data-testid="closed" message={t("closed", { outcome: w(review.final_outcome ?? "") })} />;
  }
  const mine = review.claimed_by === me && leaseRuns(review);
  const block = claimBlock(review, me);
  const four = <FourEyes review={review} me={me} />;
  if (!can("review.decide")) {
    return (
      <Space direction="vertical" style={{ width: "100%" }}>
        {four}
        <Typography.Text type="secondary">{t("readOnly")}</Typography.Text>
      </Space>
    );
  }
  const others = leaseRuns(review) && !mine;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size={12} data-testid="case-actions">
      {four}
      {others && <Alert type="info" showIcon message={t("heldBy", { who: review.claimed_by ?? "", until: when(review.lease_expires_at, lang) })} />}
      {mine ? (
        <>
          <Space style={{ justifyContent: "space-between", width: "100%" }}>
            <Typography.Text>{t("held", { until: when(review.lease_expires_at, lang) })}</Typography.Text>
            <Button onClick={() => run(() => release(review.decision_id), () => t("releasedOk"))} loading={busy} data-testid="release">
              {t("release")}
            </Button>
          </Space>
          <DecideForm
            id={review.decision_id}
            onDone={(r) => {
              message.success(t("decidedOk", { status: w(r.status) }));
              onChanged();
            }}
          />
        </>
      ) : (
        // a reviewer the four-eyes rule excludes gets no claim control at all; a busy lease shows why it waits
        block !== "blockReopener" &&
        block !== "blockFirst" && (
          <Button
            type="primary"
            block
            disabled={!!block}
            loading={busy}
            data-testid="claim"
            onClick={() => run(() => claim(review.decision_id), (r) => t("claimedOk", { until: when(r.lease_expires_at, lang) }))}
          >
            {t("claim")}
          </Button>
        )
      )}
    </Space>
  );
}
