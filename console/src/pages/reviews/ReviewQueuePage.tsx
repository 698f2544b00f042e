// The review queue: open reviews by tier and status, oldest first (sortable by age), who holds each lease and
// until when; claim, release and open a case. It refreshes itself every 30 seconds (a switch stops it).
import { ReloadOutlined } from "@ant-design/icons";
import { Alert, App, Button, InputNumber, Space, Switch, Table, Tabs, Tooltip, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import Choice from "../../components/graph/Choice";
import ToneTag from "../../components/graph/ToneTag";
import { useLang, useT, type Dict } from "../../i18n";
import { useCan, useSession } from "../../session";
import { age, STATUS_COLOURS, TIER_COLOURS, TIERS, when, words } from "./labels";
import { claim, claimBlock, leaseRuns, listReviews, release, type Review } from "./reviewApi";

const REFRESH_MS = 30_000;

const dict: Dict = {
  zh: {
    title: "人工审核队列",
    intro: "转人工的申请按等待时间排列（最久的在前）。认领后获得 15 分钟租约，只有租约持有人可以作出决定。",
    all: "全部",
    mine: "我认领的",
    tiers: "审核分层",
    status: "状态",
    statusFilter: "按状态筛选",
    decision: "决策编号",
    tier: "分层",
    age: "等待时长",
    lease: "租约",
    leaseUntil: "{who}，至 {until}",
    expired: "{who}（已过期）",
    none: "—",
    first: "第一审核人",
    reopenedBy: "申诉提交人",
    actions: "操作",
    open: "查看",
    claim: "认领",
    release: "释放",
    refresh: "刷新",
    auto: "自动刷新",
    updated: "更新于 {at}",
    minAge: "最短等待（分钟）",
    claimed: "已认领 {id}，租约至 {until}",
    released: "已释放 {id}",
    count: "共 {n} 条",
    queue: "人工审核队列",
    blockClosed: "已结案",
    blockReopener: "您提交了此申诉，须由其他审核人处理（四眼原则）",
    blockFirst: "您已作出第一次决定，须由另一位审核人复核",
    blockLease: "他人持有租约",
  },
  en: {
    title: "Review queue",
    intro: "Referred applications, longest waiting first. A claim gives you a 15-minute lease; only the lease holder decides.",
    all: "All",
    mine: "Mine",
    tiers: "Tiers",
    status: "Status",
    statusFilter: "Filter by status",
    decision: "Decision",
    tier: "Tier",
    age: "Waiting",
    lease: "Lease",
    leaseUntil: "{who}, until {until}",
    expired: "{who} (expired)",
    none: "—",
    first: "First reviewer",
    reopenedBy: "Reopened by",
    actions: "Actions",
    open: "Open",
    claim: "Claim",
    release: "Release",
    refresh: "Refresh",
    auto: "Auto-refresh",
    updated: "Updated {at}",
    minAge: "Minimum wait (minutes)",
    claimed: "Claimed {id}, lease until {until}",
    released: "Released {id}",
    count: "{n} reviews",
    queue: "Review queue",
    blockClosed: "Closed",
    blockReopener: "You reopened this one; another reviewer must take it (four eyes)",
    blockFirst: "You made the first decision; another reviewer must decide",
    blockLease: "Someone else holds the lease",
  },
};

type StatusFilter = "all" | "open" | "claimed" | "awaiting_second" | "mine";

function useQueue(minAge: number | null, auto: boolean) {
  const [rows, setRows] = useState<Review[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);
  const load = useCallback(async () => {
    setLoading(true);
    try {
      setRows(await listReviews(minAge ?? undefined));
      setError(null);
      setUpdated(new Date());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }, [minAge]);
  useEffect(() => {
    void load();
    if (!auto) return;
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load, auto]);
  return { rows, loading, error, updated, load };
}

export default function ReviewQueuePage() {
  const t = useT(dict);
  const w = useT(words);
  const lang = useLang();
  const can = useCan();
  const me = useSession().me!.principal;
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [tier, setTier] = useState("all");
  const [status, setStatus] = useState<StatusFilter>("all");
  const [minAge, setMinAge] = useState<number | null>(null);
  const [auto, setAuto] = useState(true);
  const [busy, setBusy] = useState<string | null>(null);
  const { rows, loading, error, updated, load } = useQueue(minAge, auto);

  const byTier = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.tier] = (counts[r.tier] ?? 0) + 1;
    return counts;
  }, [rows]);
  const shown = rows.filter(
    (r) =>
      (tier === "all" || r.tier === tier) &&
      (status === "all" || (status === "mine" ? r.claimed_by === me && leaseRuns(r) : r.status === status)),
  );

  const act = async (id: string, run: () => Promise<Review>, done: (r: Review) => string) => {
    setBusy(id);
    try {
      message.success(done(await run()));
    } catch (err) {
      message.error((err as Error).message);
    } finally {
      setBusy(null);
      void load();
    }
  };

  const columns: ColumnsType<Review> = [
    {
      title: t("decision"),
      dataIndex: "decision_id",
      render: (id: string) => (
        <Link to={`/reviews/${encodeURIComponent(id)}`} data-testid={`open-${id}`}>
          <Typography.Text code>{id}</Typography.Text>
        </Link>
      ),
    },
    { title: t("tier"), dataIndex: "tier", render: (v: string) => <ToneTag tone={TIER_COLOURS[v]}>{w(v)}</ToneTag> },
    { title: t("status"), dataIndex: "status", render: (v: string) => <ToneTag tone={STATUS_COLOURS[v]}>{w(v)}</ToneTag> },
    {
      title: t("age"),
      dataIndex: "age_seconds",
      sorter: (a, b) => a.age_seconds - b.age_seconds,
      defaultSortOrder: "descend",
      render: (s: number, r) => <Tooltip title={when(r.queued_at, lang)}>{age(s, w)}</Tooltip>,
    },
    {
      title: t("lease"),
      key: "lease",
      render: (_, r) =>
        !r.claimed_by
          ? t("none")
          : leaseRuns(r)
            ? t("leaseUntil", { who: r.claimed_by, until: when(r.lease_expires_at, lang) })
            : t("expired", { who: r.claimed_by }),
    },
    {
      title: t("first"),
      key: "first",
      render: (_, r) =>
        r.first_reviewer ? `${r.first_reviewer} · ${w(r.first_outcome ?? "")}` : r.reopened_by ? `${t("reopenedBy")}: ${r.reopened_by}` : t("none"),
    },
    {
      title: t("actions"),
      key: "actions",
      render: (_, r) => {
        const block = claimBlock(r, me);
        const mine = r.claimed_by === me && leaseRuns(r);
        return (
          <Space size={4}>
            <Button size="small" onClick={() => navigate(`/reviews/${encodeURIComponent(r.decision_id)}`)} autoInsertSpace={false}>
              {t("open")}
            </Button>
            {can("review.decide") && !mine && (
              <Tooltip title={block ? t(block) : undefined}>
                <Button
                  size="small"
                  type="primary"
                  data-testid={`claim-${r.decision_id}`}
                  autoInsertSpace={false}
                  disabled={!!block}
                  loading={busy === r.decision_id}
                  onClick={() =>
                    act(r.decision_id, () => claim(r.decision_id), (x) => t("claimed", { id: x.decision_id, until: when(x.lease_expires_at, lang) }))
                  }
                >
                  {t("claim")}
                </Button>
              </Tooltip>
            )}
            {can("review.decide") && mine && (
              <Button
                size="small"
                data-testid={`release-${r.decision_id}`}
                autoInsertSpace={false}
                loading={busy === r.decision_id}
                onClick={() => act(r.decision_id, () => release(r.decision_id), (x) => t("released", { id: x.decision_id }))}
              >
                {t("release")}
              </Button>
            )}
          </Space>
        );
      },
    },
  ];

  const tabItems = [
    { key: "all", label: `${t("all")} (${rows.length})` },
    ...TIERS.filter((x) => byTier[x]).map((x) => ({ key: x, label: `${w(x)} (${byTier[x]})` })),
  ];

  return (
    <>
      <Typography.Title level={2}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("intro")}</Typography.Paragraph>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Tabs activeKey={tier} onChange={setTier} items={tabItems} aria-label={t("tiers")} data-testid="tier-tabs" />
      <Space wrap style={{ marginBottom: 16, justifyContent: "space-between", width: "100%" }}>
        <Space wrap>
          <Choice<StatusFilter>
            label={t("statusFilter")}
            value={status}
            onChange={setStatus}
            testId="status-filter"
            options={(["all", "open", "claimed", "awaiting_second", "mine"] as const).map((s) => ({
              value: s,
              label: s === "all" || s === "mine" ? t(s) : w(s),
            }))}
          />
          <label>
            <Space>
              <span>{t("minAge")}</span>
              <InputNumber min={0} max={1000000} value={minAge} onChange={(v) => setMinAge(v ?? null)} style={{ width: 110 }} />
            </Space>
          </label>
        </Space>
        <Space>
          <Typography.Text type="secondary">{updated ? t("updated", { at: updated.toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false }) }) : ""}</Typography.Text>
          <label>
            <Space>
              <Switch checked={auto} onChange={setAuto} size="small" />
              <span>{t("auto")}</span>
            </Space>
          </label>
          <Button icon={<ReloadOutlined />} onClick={() => void load()} loading={loading} data-testid="refresh">
            {t("refresh")}
          </Button>
        </Space>
      </Space>
      <Table
        rowKey="decision_id"
        size="middle"
        loading={loading && !rows.length}
        columns={columns}
        dataSource={shown}
        aria-label={t("queue")}
        data-testid="review-queue"
        pagination={{ pageSize: 20, showTotal: (n) => t("count", { n }), showSizeChanger: false }}
      />
    </>
  );
}
