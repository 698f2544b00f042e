// What the colours and shapes of a GraphView mean, in words beside each swatch (the colour is never the only cue).
import { Space, Typography } from "antd";
import { useT, type Dict } from "../../i18n";
import { COLOURS, EDGE_COLOURS } from "./palette";

const dict: Dict = {
  zh: {
    legend: "图例",
    applicant: "申请企业",
    enterprise: "企业",
    person: "自然人",
    identifier: "标识（电话/地址/设备等）",
    shared: "共用标识（2 家及以上企业）",
    bad: "已知风险企业（失信/被执行/违约）",
    gang: "团伙成员",
    path: "路径",
    control: "控制关系",
    guarantee: "担保",
    trade: "交易",
    litigation: "诉讼",
  },
  en: {
    legend: "Legend",
    applicant: "Applicant",
    enterprise: "Enterprise",
    person: "Person",
    identifier: "Identifier (phone, address, device…)",
    shared: "Shared identifier (2+ enterprises)",
    bad: "Known bad (dishonest debtor, enforcement, default)",
    gang: "Gang member",
    path: "Path",
    control: "Control",
    guarantee: "Guarantee",
    trade: "Trade",
    litigation: "Litigation",
  },
};

function Swatch({ colour, shape = "square", ring }: { colour: string; shape?: "square" | "round" | "diamond" | "line"; ring?: string }) {
  const base = { display: "inline-block", width: 12, height: 12, background: colour, verticalAlign: "middle" };
  const style =
    shape === "line"
      ? { ...base, height: 3, width: 18 }
      : shape === "round"
        ? { ...base, borderRadius: 6 }
        : shape === "diamond"
          ? { ...base, transform: "rotate(45deg) scale(0.8)" }
          : { ...base, borderRadius: 2 };
  return <span aria-hidden style={ring ? { ...style, background: "#fff", border: `3px solid ${ring}` } : style} />;
}

export default function GraphLegend() {
  const t = useT(dict);
  const items: [string, JSX.Element][] = [
    ["applicant", <Swatch colour={COLOURS.applicant} ring={COLOURS.applicant} />],
    ["enterprise", <Swatch colour={COLOURS.enterprise} />],
    ["person", <Swatch colour={COLOURS.person} shape="round" />],
    ["identifier", <Swatch colour={COLOURS.identifier} shape="round" />],
    ["shared", <Swatch colour={COLOURS.shared} shape="diamond" />],
    ["bad", <Swatch colour={COLOURS.bad} />],
    ["gang", <Swatch colour={COLOURS.gang} ring={COLOURS.gang} />],
    ["path", <Swatch colour={COLOURS.path} shape="line" />],
    ["control", <Swatch colour={EDGE_COLOURS.control} shape="line" />],
    ["guarantee", <Swatch colour={EDGE_COLOURS.guarantee} shape="line" />],
    ["trade", <Swatch colour={EDGE_COLOURS.trade} shape="line" />],
    ["litigation", <Swatch colour={EDGE_COLOURS.litigation} shape="line" />],
  ];
  return (
    <section aria-label={t("legend")} data-testid="graph-legend">
      <Space wrap size={[16, 4]}>
        {items.map(([key, swatch]) => (
          <Space key={key} size={6}>
            {swatch}
            <Typography.Text style={{ fontSize: 12 }}>{t(key)}</Typography.Text>
          </Space>
        ))}
      </Space>
    </section>
  );
}
