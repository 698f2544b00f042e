// Record what was done on a case's open plan and what it brought (POST /v1/collections/cases/{id}/actions). The arm
// defaults to the plan's; another arm is a deviation, logged with the plan's probability of it. Amounts are typed in
// yuan and sent as integer cents. The API's refusal (404 no open plan, 409 another collector first, 422) is shown.
import { Alert as Banner, Button, Card, Checkbox, Form, Input, InputNumber, Select, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useT, type Dict } from "../../i18n";
import { armLabel, collectionDict } from "./labels";

type Plan = components["schemas"]["PlanOut"];
type Body = components["schemas"]["RecordIn"];

const dict: Dict = {
  zh: {
    title: "记录催收行动",
    arm: "实际行动与时段",
    planArm: "（推荐）",
    agent: "催收员工号（可选）",
    promise: "客户承诺还款",
    paid: "本次回收金额（元）",
    cured: "已结清逾期",
    days: "结清用时（天）",
    daysRequired: "结清时必填",
    complaint: "客户投诉",
    submit: "记录行动",
    done: "已记录",
  },
  en: {
    title: "Record an action",
    arm: "Action and window taken",
    planArm: " (recommended)",
    agent: "Agent id (optional)",
    promise: "Promise to pay",
    paid: "Amount paid (yuan)",
    cured: "Overdue cured",
    days: "Days to cure",
    daysRequired: "Required when cured",
    complaint: "Complaint",
    submit: "Record",
    done: "Recorded",
  },
};

interface Values {
  arm: string;
  agent_id?: string;
  promise_to_pay: boolean;
  paid_yuan?: number | null;
  cured: boolean;
  days_to_cure?: number | null;
  complaint: boolean;
}

export default function RecordAction({ caseId, plan, onDone }: { caseId: string; plan: Plan; onDone: () => void }) {
  const t = useT(dict);
  const c = useT(collectionDict);
  const [form] = Form.useForm<Values>();
  const cured = Form.useWatch("cured", form);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = plan.next_best_action.arm;
  const arms = Object.keys(plan.pmf).sort((a, b) => (plan.pmf[b] ?? 0) - (plan.pmf[a] ?? 0));

  const submit = async (v: Values) => {
    const body: Body = {
      arm: v.arm as Body["arm"],
      agent_id: v.agent_id?.trim() || null,
      promise_to_pay: v.promise_to_pay,
      amount_paid_cents: Math.round((v.paid_yuan ?? 0) * 100),
      cured: v.cured,
      days_to_cure: v.cured ? (v.days_to_cure ?? null) : null,
      complaint: v.complaint,
    };
    setBusy(true);
    try {
      unwrap(await api.POST("/v1/collections/cases/{case_id}/actions", { params: { path: { case_id: caseId } }, body }));
      setError(null);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title={<Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>{t("title")}</Typography.Title>}
      data-testid="record-action"
    >
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ arm: chosen, promise_to_pay: false, cured: false, complaint: false, paid_yuan: 0 }}
      >
        <Form.Item name="arm" label={t("arm")}>
          <Select
            showSearch
            optionFilterProp="label"
            options={arms.map((a) => ({ value: a, label: `${armLabel(a, c)}${a === chosen ? t("planArm") : ""}` }))}
          />
        </Form.Item>
        <Form.Item name="agent_id" label={t("agent")}>
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item name="paid_yuan" label={t("paid")}>
          <InputNumber min={0} precision={2} step={100} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item name="promise_to_pay" valuePropName="checked" style={{ marginBottom: 8 }}>
          <Checkbox>{t("promise")}</Checkbox>
        </Form.Item>
        <Form.Item name="cured" valuePropName="checked" style={{ marginBottom: 8 }}>
          <Checkbox>{t("cured")}</Checkbox>
        </Form.Item>
        {cured && (
          <Form.Item name="days_to_cure" label={t("days")} rules={[{ required: true, message: t("daysRequired") }]}>
            <InputNumber min={0} precision={0} style={{ width: "100%" }} />
          </Form.Item>
        )}
        <Form.Item name="complaint" valuePropName="checked">
          <Checkbox>{t("complaint")}</Checkbox>
        </Form.Item>
        {error && <Banner type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="record-error" />}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="record-submit">
          {t("submit")}
        </Button>
      </Form>
    </Card>
  );
}
