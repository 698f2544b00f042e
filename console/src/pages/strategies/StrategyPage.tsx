// The strategy studio for one strategy: its versions, the open version in the JDM editor (writable only for its
// author's draft), the lifecycle controls the principal's roles allow, a rule-level diff and a backtest against
// the champion. Every refusal of the API (four eyes, wrong state) is shown as the API words it.
import { Alert, App, Breadcrumb, Card, Col, Input, Row, Space, Spin, Tabs, Typography } from "antd";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { useT } from "../../i18n";
import { useCan, useSession } from "../../session";
import { BacktestView } from "./BacktestView";
import { ChangesPanel } from "./ChangesPanel";
import { dict } from "./dict";
import { DiffView } from "./DiffView";
import { activeOf, controlsFor } from "./lifecycle";
import * as studio from "./studioApi";
import { defaultVersion, useStudio } from "./useStudio";
import { VersionsTable } from "./VersionsTable";
import { VersionToolbar, type Action } from "./VersionToolbar";
import { Accessible } from "../models/Accessible";

const JdmEditor = lazy(() => import("./JdmEditor")); // Monaco, the wasm engine and the editor: this page only

export default function StrategyPage() {
  return (
    <Accessible>
      <StrategyPageBody />
    </Accessible>
  );
}

function StrategyPageBody() {
  const { name = "" } = useParams();
  const t = useT(dict);
  const { message } = App.useApp();
  const { me } = useSession();
  const can = useCan();
  const principal = me?.principal ?? "";
  const { versions, changes, loading, error, reload, load } = useStudio(name);
  const [params, setParams] = useSearchParams();
  const selected = Number(params.get("v")) || defaultVersion(versions, principal);
  const version = versions.find((v) => v.version === selected) ?? null;
  const [base, setBase] = useState<string | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [contentError, setContentError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Action | "change" | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [tab, setTab] = useState("editor");

  const open = useCallback((v: number) => setParams({ v: String(v) }, { replace: false }), [setParams]);

  useEffect(() => {
    if (!version) return;
    setBase(null);
    setDraft(null);
    setContentError(null);
    load(version.version, version.status === "draft")
      .then((c) => {
        setBase(c);
        setDraft(c);
      })
      .catch((e: Error) => setContentError(e.message));
  }, [version?.version, version?.status, load]); // eslint-disable-line react-hooks/exhaustive-deps

  const controls = version ? controlsFor(version, principal, can, activeOf(versions)) : null;
  const dirty = base !== null && draft !== null && draft !== base;

  /** Run one lifecycle step; the API's refusal is shown (message and a lasting alert), never swallowed. */
  const act = async (action: Action | "change", step: () => Promise<string>) => {
    setBusy(action);
    setFailure(null);
    try {
      message.success(await step());
      await reload();
    } catch (e) {
      setFailure((e as Error).message);
      message.error((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const onAction = (action: Action) => {
    if (!version) return;
    const v = version.version;
    const steps: Record<Action, () => Promise<string>> = {
      newDraft: async () => {
        const created = await studio.createDraft(name, draft ?? (await load(v)), `from ${version.key}`);
        open(created.version);
        return t("draftCreated", { key: created.key });
      },
      save: async () => {
        const saved = await studio.saveDraft(name, v, draft ?? "");
        load(v, true);
        setBase(draft);
        return t("saved", { key: saved.key });
      },
      submit: async () => {
        if (dirty) await studio.saveDraft(name, v, draft ?? "");
        const done = await studio.submitVersion(name, v);
        return t("submittedOk", { key: done.key });
      },
      approve: async () => t("approvedOk", { key: (await studio.approveVersion(name, v)).key }),
      requestActivation: async () => {
        const id = await studio.requestActivation(name, v, "");
        return t("activationRequested", { key: version.key, id });
      },
    };
    void act(action, steps[action]);
  };

  const approveChange = (change: studio.PendingChange) =>
    void act("change", async () => t("activationApproved", { key: (await studio.approveChange(change.change_id)).key }));

  const editable = Boolean(controls?.edit);
  const editorPane = contentError ? (
    <Alert type="error" showIcon message={t("contentUnavailable")} description={contentError} />
  ) : draft === null ? (
    <Spin />
  ) : (
    <Suspense fallback={<Spin />}>
      <JdmEditor
        key={`${version?.version}-${base === null ? 0 : base.length}`}
        content={draft}
        editable={editable}
        onChange={editable ? setDraft : undefined}
        label={`${t("editor")} ${version?.key ?? ""}`}
      />
    </Suspense>
  );
  const sourcePane = (
    <Input.TextArea
      aria-label={t("sourceLabel", { key: version?.key ?? "" })}
      data-testid="jdm-source"
      value={draft ?? ""}
      readOnly={!editable}
      onChange={(e) => setDraft(e.target.value)}
      autoSize={{ minRows: 18, maxRows: 36 }}
      style={{ fontFamily: "monospace", fontSize: 12 }}
    />
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Breadcrumb items={[{ title: <Link to="/strategies">{t("strategies")}</Link> }, { title: name }]} />
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t("strategy", { name })}
      </Typography.Title>
      {error && <Alert type="error" showIcon message={t("loadFailed")} description={error} />}
      {failure && (
        <Alert type="error" showIcon closable message={failure} data-testid="action-error" onClose={() => setFailure(null)} />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card size="small" title={<Typography.Title level={3} style={{ margin: 0, fontSize: 15 }}>{t("versions")}</Typography.Title>}>
            <VersionsTable versions={versions} selected={selected} onOpen={open} loading={loading} />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <ChangesPanel changes={changes} canApprove={can("strategy.approve")} busy={busy === "change"} onApprove={approveChange} />
        </Col>
      </Row>
      {version && controls && (
        <Card size="small">
          <VersionToolbar version={version} controls={controls} dirty={dirty} busy={busy === "change" ? null : busy} onAction={onAction} />
          <Tabs
            activeKey={tab}
            onChange={setTab}
            destroyInactiveTabPane
            style={{ marginTop: 8 }}
            items={[
              { key: "editor", label: t("editor"), children: editorPane },
              { key: "source", label: t("source"), children: sourcePane },
              {
                key: "diff",
                label: t("diff"),
                children: <DiffView versions={versions} initialB={version.version} load={load} />,
              },
              ...(can("strategy.backtest")
                ? [{ key: "backtest", label: t("backtest"), children: <BacktestView name={name} version={version.version} /> }]
                : []),
            ]}
          />
        </Card>
      )}
    </Space>
  );
}
