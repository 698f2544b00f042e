// Home: who is signed in and the desks their roles open, one card each.
import { Card, Col, Row, Typography } from "antd";
import { Link } from "react-router-dom";
import { useT, type Dict } from "../../i18n";
import { useCan, useSession } from "../../session";
import { menuDict, PAGES } from "../registry";

const dict: Dict = {
  zh: {
    welcome: "欢迎，{name}",
    intro: "以下是您的角色可以使用的工作区。所有操作均由服务端再次校验权限并记录审计。",
    reviews: "认领并审核转人工的申请，查看决策明细、规则轨迹与关系图谱。",
    strategies: "编辑决策表、比较版本、回测挑战者策略，按四眼原则提交与发布。",
    models: "模型注册表、验证报告、漂移与账龄分析，审批与上线。",
    alerts: "按等级处理贷后预警：确认、处置、关闭。",
    collections: "催收案件与下一步最佳行动。",
    graph: "按统一社会信用代码或名称检索企业，展开关系、查找路径。",
    prospects: "潜在客户名单与导出。",
  },
  en: {
    welcome: "Welcome, {name}",
    intro: "These are the desks your roles open. The server checks every action again and audits it.",
    reviews: "Claim and decide referred applications with the decision, rule trace and relationship graph.",
    strategies: "Edit decision tables, diff versions, backtest a challenger, submit and release with four eyes.",
    models: "Model registry, validation reports, drift and vintages, approval and activation.",
    alerts: "Work post-loan alerts by level: acknowledge, act, close.",
    collections: "Collection cases and their next best action.",
    graph: "Find an enterprise by credit code or name, expand its ties, find paths.",
    prospects: "The prospect list and its export.",
  },
};

export default function HomePage() {
  const t = useT(dict);
  const m = useT(menuDict);
  const { me } = useSession();
  const can = useCan();
  const desks = PAGES.filter((p) => p.menu && p.path !== "/" && (!p.capability || can(p.capability)));
  return (
    <>
      <Typography.Title level={2}>{t("welcome", { name: me?.principal ?? "" })}</Typography.Title>
      <Typography.Paragraph>{t("intro")}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        {desks.map((p) => (
          <Col key={p.path} xs={24} md={12} xl={8}>
            <Card title={<Link to={p.path}>{m(p.menu!)}</Link>}>{t(p.menu!)}</Card>
          </Col>
        ))}
      </Row>
    </>
  );
}
