// What the decision stored, grouped: the application and enterprise profile, the graph signals, then the feature
// values of each data dimension with their meaning (Chinese first). Missing values show as missing, never as 0.
import { Descriptions, Empty, Space, Table, Tabs, Typography } from "antd";
import ToneTag from "../../components/graph/ToneTag";
import { useLang, useT, type Dict } from "../../i18n";
import { APPLICATION_EN, APPLICATION_ZH, DIMENSIONS_EN, DIMENSIONS_ZH, FEATURES_ZH } from "./featureNames";
import { money } from "./labels";
import type { Case } from "./reviewApi";

const dict: Dict = {
  zh: {
    application: "申请与企业概况",
    graphSignals: "图谱信号",
    asOf: "数据日期：{d}",
    feature: "指标",
    code: "代码",
    value: "取值",
    missing: "缺失",
    unavailable: "该组数据不可用",
    failures: "决策时失败的数据源",
    yes: "是",
    no: "否",
    dimensions: "分维度数据",
  },
  en: {
    application: "Application and enterprise",
    graphSignals: "Graph signals",
    asOf: "Data as of {d}",
    feature: "Feature",
    code: "Code",
    value: "Value",
    missing: "missing",
    unavailable: "This group's data was unavailable",
    failures: "Sources that failed at the decision",
    yes: "yes",
    no: "no",
    dimensions: "Data by dimension",
  },
};

type Data = Case["data"];
interface Feature {
  name: string;
  meaning: string;
  value: unknown;
}
interface Group {
  dimension: string;
  group: string;
  available: unknown;
  features: Feature[];
}

function useShow() {
  const t = useT(dict);
  const lang = useLang();
  return (key: string, value: unknown): string => {
    if (value === null || value === undefined) return t("missing");
    if (typeof value === "boolean") return value ? t("yes") : t("no");
    if (key.endsWith("_cents") && typeof value === "number") return money(value, lang);
    if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB") : value.toPrecision(4);
    if (Array.isArray(value)) return value.map(String).join("，");
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  };
}

function Facts({ facts, skip = [] }: { facts: Record<string, unknown>; skip?: string[] }) {
  const lang = useLang();
  const show = useShow();
  const names = lang === "zh" ? APPLICATION_ZH : APPLICATION_EN;
  return (
    <Descriptions bordered size="small" column={{ xs: 1, md: 2, xl: 3 }}>
      {Object.entries(facts)
        .filter(([k, v]) => !skip.includes(k) && (typeof v !== "object" || v === null || Array.isArray(v)))
        .map(([k, v]) => (
          <Descriptions.Item key={k} label={names[k] ?? k}>
            {show(k, v)}
          </Descriptions.Item>
        ))}
    </Descriptions>
  );
}

function FeatureTable({ group }: { group: Group }) {
  const t = useT(dict);
  const lang = useLang();
  const show = useShow();
  const title = lang === "zh" ? (DIMENSIONS_ZH[group.group] ?? group.group) : (DIMENSIONS_EN[group.group] ?? group.group);
  return (
    <Space direction="vertical" style={{ width: "100%" }} size={4}>
      <Typography.Text strong>
        {title} {group.available === 0 ? <ToneTag tone="orange">{t("unavailable")}</ToneTag> : null}
      </Typography.Text>
      <Table
        size="small"
        rowKey="name"
        pagination={false}
        aria-label={title}
        dataSource={group.features}
        columns={[
          { title: t("feature"), key: "meaning", render: (_, f) => (lang === "zh" ? (FEATURES_ZH[f.name] ?? f.meaning) : f.meaning) },
          { title: t("code"), dataIndex: "name", width: 230, render: (n: string) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{n}</Typography.Text> },
          {
            title: t("value"),
            dataIndex: "value",
            width: 130,
            align: "right",
            render: (v: unknown, f) => (v == null ? <Typography.Text type="secondary">{t("missing")}</Typography.Text> : show(f.name, v)),
          },
        ]}
      />
    </Space>
  );
}

export default function CaseData({ data }: { data: Data }) {
  const t = useT(dict);
  const lang = useLang();
  const groups = data.dimensions as unknown as Group[];
  const dims = [...new Set(groups.map((g) => g.dimension))];
  const graph = (data.graph ?? {}) as Record<string, unknown>;
  const graphFeatures = (graph.features ?? {}) as Record<string, unknown>;
  return (
    <Space direction="vertical" style={{ width: "100%" }} size={16} data-testid="case-data">
      <Typography.Text type="secondary">{data.features_as_of ? t("asOf", { d: data.features_as_of }) : ""}</Typography.Text>
      <Facts facts={{ ...(data.profile ?? {}), ...data.application }} />
      {data.failures.length > 0 && (
        <Typography.Text type="danger">
          {t("failures")}: {data.failures.map((f) => String(f.source)).join(", ")}
        </Typography.Text>
      )}
      {data.graph && (
        <>
          <Typography.Text strong>{t("graphSignals")}</Typography.Text>
          <Facts facts={{ ...graph, ...graphFeatures }} skip={["features"]} />
        </>
      )}
      {groups.length ? (
        <Tabs
          aria-label={t("dimensions")}
          items={dims.map((d) => ({
            key: d,
            label: lang === "zh" ? (DIMENSIONS_ZH[d] ?? d) : (DIMENSIONS_EN[d] ?? d),
            children: (
              <Space direction="vertical" style={{ width: "100%" }} size={12}>
                {groups.filter((g) => g.dimension === d).map((g) => <FeatureTable key={g.group} group={g} />)}
              </Space>
            ),
          }))}
        />
      ) : (
        <Empty />
      )}
    </Space>
  );
}
