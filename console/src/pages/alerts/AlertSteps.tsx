// An officer's steps on an alert: acknowledge, act on the loan, close. Each asks for a comment (or an action and its
// reason) in a dialog and posts it; the API's refusal (403, 409 out of order or lost race, 422) is shown as it is.
import { Alert as Banner, Button, Form, Input, Modal, Select, Space, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useT, type Dict } from "../../i18n";
import { LOAN_ACTIONS, postLoanDict } from "./labels";

type Step = "acknowledge" | "act" | "close";

const dict: Dict = {
  zh: {
    acknowledge: "确认预警",
    act: "处置贷款",
    close: "关闭预警",
    comment: "处理意见",
    commentHelp: "将记入审计轨迹，例如：已致电企业财务负责人核实。",
    action: "处置措施",
    reason: "处置原因",
    submit: "提交",
    cancel: "取消",
    required: "必填",
    actAfterAck: "确认预警后方可处置贷款。",
    noLoan: "该预警不涉及本行在贷贷款，无可处置，可在核实后关闭。",
    closed: "预警已关闭。",
    done: "已提交",
  },
  en: {
    acknowledge: "Acknowledge",
    act: "Act on the loan",
    close: "Close",
    comment: "Comment",
    commentHelp: "Kept in the audit trail, e.g. called the firm's CFO to verify.",
    action: "Action",
    reason: "Reason",
    submit: "Submit",
    cancel: "Cancel",
    required: "Required",
    actAfterAck: "Acknowledge the alert before acting on its loan.",
    noLoan: "The alert is on no loan of ours: nothing to act on; close it once checked.",
    closed: "The alert is closed.",
    done: "Submitted",
  },
};

interface Props {
  alertId: string;
  status: string;
  hasLoan: boolean;
  onDone: () => void;
}

async function post(step: Step, alertId: string, values: { comment?: string; action?: string; reason?: string }) {
  const path = { alert_id: alertId };
  if (step === "acknowledge") {
    unwrap(await api.POST("/v1/alerts/{alert_id}/acknowledge", { params: { path }, body: { comment: values.comment ?? "" } }));
  } else if (step === "close") {
    unwrap(await api.POST("/v1/alerts/{alert_id}/close", { params: { path }, body: { comment: values.comment ?? "" } }));
  } else {
    const action = values.action as (typeof LOAN_ACTIONS)[number];
    unwrap(await api.POST("/v1/alerts/{alert_id}/actions", { params: { path }, body: { action, reason: values.reason ?? "" } }));
  }
}

export default function AlertSteps({ alertId, status, hasLoan, onDone }: Props) {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const [step, setStep] = useState<Step | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  const open = (s: Step) => {
    form.resetFields();
    setError(null);
    setStep(s);
  };
  const submit = async () => {
    if (!step) return;
    const values = await form.validateFields();
    setBusy(true);
    try {
      await post(step, alertId, values);
      setStep(null);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // The lifecycle (domain/alert_lifecycle.py) decides; these hints only spare a round trip the API would refuse.
  const canAck = status === "open";
  const canAct = (status === "acknowledged" || status === "actioned") && hasLoan;
  const canClose = status !== "closed";
  const hint = status === "closed" ? t("closed") : !hasLoan ? t("noLoan") : canAck ? t("actAfterAck") : null;
  return (
    <>
      <Space wrap>
        <Button type="primary" data-testid="acknowledge" disabled={!canAck} onClick={() => open("acknowledge")}>
          {t("acknowledge")}
        </Button>
        <Button data-testid="act" disabled={!canAct} onClick={() => open("act")}>
          {t("act")}
        </Button>
        <Button danger data-testid="close" disabled={!canClose} onClick={() => open("close")}>
          {t("close")}
        </Button>
      </Space>
      {hint && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {hint}
        </Typography.Paragraph>
      )}
      <Modal
        open={step !== null}
        title={step ? t(step) : ""}
        okText={t("submit")}
        cancelText={t("cancel")}
        confirmLoading={busy}
        onOk={submit}
        onCancel={() => setStep(null)}
        okButtonProps={{ "data-testid": "step-submit" } as Record<string, string>}
        destroyOnClose
      >
        <Form form={form} layout="vertical" requiredMark>
          {step === "act" ? (
            <>
              <Form.Item
                name="action"
                label={t("action")}
                // a validator, not `required`: antd puts aria-required on the select's wrapper, which axe refuses
                rules={[{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(t("required")))) }]}
              >
                <Select
                  data-testid="action-select"
                  options={LOAN_ACTIONS.map((a) => ({ value: a, label: l(`action.${a}`) }))}
                />
              </Form.Item>
              <Form.Item name="reason" label={t("reason")} rules={[{ required: true, whitespace: true, message: t("required") }]}>
                <Input.TextArea rows={3} maxLength={2000} data-testid="step-reason" />
              </Form.Item>
            </>
          ) : (
            <Form.Item
              name="comment"
              label={t("comment")}
              extra={t("commentHelp")}
              rules={[{ required: true, whitespace: true, message: t("required") }]}
            >
              <Input.TextArea rows={3} maxLength={2000} data-testid="step-comment" />
            </Form.Item>
          )}
        </Form>
        {error && <Banner type="error" showIcon message={error} data-testid="step-error" />}
      </Modal>
    </>
  );
}
