// Transcript QA cases (GET /v1/collections/qa-cases): calls whose check found an issue at the threshold, highest
// score first. The lead reads a call's findings and confirms or dismisses the case (collection.qa); auditors read.
import { Alert as Banner, Button, Card, Drawer, Form, Input, Modal, Space, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useCallback, useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { localeOf } from "../prospects/industries";
import Choice from "../alerts/Choice";
import { MUTED, TAG } from "../alerts/labels";
import { collectionDict } from "./labels";

type QaCase = components["schemas"]["QaCaseOut"];
type Finding = components["schemas"]["FindingOut"];
type Resolution = "confirmed" | "dismissed";

const dict: Dict = {
  zh: {
    title: "通话质检案件",
    status: "质检案件状态",
    open: "待处理",
    closed: "已关闭",
    all: "全部",
    table: "通话质检案件列表",
    colCall: "通话编号",
    colOpened: "开立时间",
    colIssues: "问题类型",
    colScore: "最高分",
    colDims: "各维度得分",
    colStatus: "状态",
    colResolution: "结论",
    findings: "查看发现",
    confirm: "确认违规",
    dismiss: "驳回",
    findingsOf: "通话 {call} 的质检发现",
    findingsTable: "质检发现",
    colTurn: "轮次",
    colIssue: "问题",
    colUtterance: "话语（已脱敏）",
    colSource: "来源",
    wholeCall: "整通",
    comment: "说明（可选）",
    submit: "提交",
    cancel: "取消",
    none: "暂无质检案件",
  },
  en: {
    title: "Call QA cases",
    status: "QA case status",
    open: "Open",
    closed: "Closed",
    all: "All",
    table: "Call QA cases",
    colCall: "Call",
    colOpened: "Opened",
    colIssues: "Issues",
    colScore: "Top score",
    colDims: "Dimension scores",
    colStatus: "Status",
    colResolution: "Resolution",
    findings: "Findings",
    confirm: "Confirm",
    dismiss: "Dismiss",
    findingsOf: "Findings of call {call}",
    findingsTable: "Findings",
    colTurn: "Turn",
    colIssue: "Issue",
    colUtterance: "Utterance (scrubbed)",
    colSource: "Source",
    wholeCall: "Whole call",
    comment: "Comment (optional)",
    submit: "Submit",
    cancel: "Cancel",
    none: "No QA cases",
  },
};

function Findings({ callId, onClose }: { callId: string | null; onClose: () => void }) {
  const t = useT(dict);
  const c = useT(collectionDict);
  const [rows, setRows] = useState<Finding[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!callId) return;
    setRows([]);
    api
      .GET("/v1/collections/transcripts/{call_id}/findings", { params: { path: { call_id: callId } } })
      .then((r) => {
        setRows(unwrap(r).findings);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [callId]);
  return (
    <Drawer open={callId !== null} onClose={onClose} width={720} title={t("findingsOf", { call: callId ?? "" })}>
      {error && <Banner type="error" showIcon message={error} />}
      <Table<Finding>
        aria-label={t("findingsTable")}
        size="small"
        pagination={false}
        rowKey={(f) => `${f.turn_no}-${f.issue_type}-${f.source}`}
        dataSource={rows}
        columns={[
          { title: t("colTurn"), dataIndex: "turn_no", render: (v: number | null) => v ?? t("wholeCall") },
          { title: t("colIssue"), dataIndex: "issue_type", render: (v: string) => c(`issue.${v}`) },
          { title: t("colUtterance"), dataIndex: "utterance" },
          { title: t("colScore"), dataIndex: "score", align: "right", render: (v: number) => v.toFixed(2) },
          { title: t("colSource"), dataIndex: "source" },
        ]}
      />
    </Drawer>
  );
}

export default function QaCases({ canClose }: { canClose: boolean }) {
  const t = useT(dict);
  const c = useT(collectionDict);
  const locale = localeOf(useLang());
  const [status, setStatus] = useState<"open" | "closed" | "all">("open");
  const [rows, setRows] = useState<QaCase[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [call, setCall] = useState<string | null>(null);
  const [closing, setClosing] = useState<{ id: string; resolution: Resolution } | null>(null);
  const [closeError, setCloseError] = useState<string | null>(null);
  const [form] = Form.useForm();

  const load = useCallback(() => {
    api
      .GET("/v1/collections/qa-cases", { params: { query: { status, limit: 100 } } })
      .then((r) => {
        setRows(unwrap(r).qa_cases);
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [status]);
  useEffect(load, [load]);

  const close = async () => {
    if (!closing) return;
    const { comment } = form.getFieldsValue() as { comment?: string };
    try {
      unwrap(
        await api.POST("/v1/collections/qa-cases/{qa_case_id}/close", {
          params: { path: { qa_case_id: closing.id } },
          body: { resolution: closing.resolution, comment: comment?.trim() || null },
        }),
      );
      setClosing(null);
      load();
    } catch (e) {
      setCloseError((e as Error).message);
    }
  };

  const when = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });
  const columns: ColumnsType<QaCase> = [
    { title: t("colCall"), dataIndex: "call_id" },
    { title: t("colOpened"), dataIndex: "opened_at", render: (v: string) => when.format(new Date(v)) },
    {
      title: t("colIssues"),
      dataIndex: "issue_types",
      render: (v: string[]) => v.map((i) => <Tag key={i} color={TAG.red}>{c(`issue.${i}`)}</Tag>),
    },
    { title: t("colScore"), dataIndex: "max_score", align: "right", render: (v: number) => v.toFixed(2) },
    {
      title: t("colDims"),
      dataIndex: "dimension_scores",
      render: (d: Record<string, number>) =>
        Object.entries(d)
          .map(([k, v]) => `${c(`dim.${k}`)} ${v}`)
          .join(" · "),
    },
    {
      title: t("colStatus"),
      dataIndex: "status",
      render: (s: string, q) => (s === "open" ? <Tag color={TAG.brown}>{t("open")}</Tag> : <Tag>{q.resolution ? c(`resolution.${q.resolution}`) : t("closed")}</Tag>),
    },
    {
      title: "",
      key: "do",
      render: (_: unknown, q) => (
        <Space size={4} wrap>
          <Button size="small" onClick={() => setCall(q.call_id)}>
            {t("findings")}
          </Button>
          {canClose && q.status === "open" && (
            <>
              <Button size="small" danger data-testid="qa-confirm" onClick={() => { form.resetFields(); setCloseError(null); setClosing({ id: q.qa_case_id, resolution: "confirmed" }); }}>
                {t("confirm")}
              </Button>
              <Button size="small" data-testid="qa-dismiss" onClick={() => { form.resetFields(); setCloseError(null); setClosing({ id: q.qa_case_id, resolution: "dismissed" }); }}>
                {t("dismiss")}
              </Button>
            </>
          )}
        </Space>
      ),
    },
  ];
  return (
    <Card title={<Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>{t("title")}</Typography.Title>} data-testid="qa-cases">
      <Space direction="vertical" size="middle" style={{ width: "100%" }}>
        <Choice
          label={t("status")}
          value={status}
          onChange={setStatus}
          options={(["open", "closed", "all"] as const).map((s) => ({ value: s, label: t(s) }))}
        />
        {error && <Banner type="error" showIcon message={error} />}
        <Table<QaCase>
          aria-label={t("table")}
          size="small"
          rowKey="qa_case_id"
          columns={columns}
          dataSource={rows}
          locale={{ emptyText: <span style={MUTED}>{t("none")}</span> }}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: true }}
        />
      </Space>
      <Findings callId={call} onClose={() => setCall(null)} />
      <Modal
        open={closing !== null}
        title={closing ? t(closing.resolution === "confirmed" ? "confirm" : "dismiss") : ""}
        okText={t("submit")}
        cancelText={t("cancel")}
        onOk={close}
        onCancel={() => setClosing(null)}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="comment" label={t("comment")}>
            <Input.TextArea rows={3} maxLength={1000} />
          </Form.Item>
        </Form>
        {closeError && <Banner type="error" showIcon message={closeError} />}
      </Modal>
    </Card>
  );
}
