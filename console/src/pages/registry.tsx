// Every page of the console: its route, its menu entry and the capability (from GET /v1/me) that shows it.
// A page whose capability the principal lacks is neither in the menu nor routed.
import {
  AlertOutlined,
  ApartmentOutlined,
  AuditOutlined,
  ExperimentOutlined,
  FundOutlined,
  HomeOutlined,
  PhoneOutlined,
  RiseOutlined,
} from "@ant-design/icons";
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from "react";
import type { Dict } from "../i18n";

export interface PageDef {
  path: string; // under /console, react-router syntax
  menu?: string; // key in `menuDict`; pages without one are reached from another page
  icon?: ReactNode;
  capability?: string; // absent: every signed-in principal
  element: LazyExoticComponent<ComponentType>;
}

export const PAGES: PageDef[] = [
  { path: "/", menu: "home", icon: <HomeOutlined />, element: lazy(() => import("./home/HomePage")) },
  {
    path: "/reviews",
    menu: "reviews",
    icon: <AuditOutlined />,
    capability: "review.read",
    element: lazy(() => import("./reviews/ReviewQueuePage")),
  },
  { path: "/reviews/:decisionId", capability: "review.read", element: lazy(() => import("./reviews/CasePage")) },
  {
    path: "/strategies",
    menu: "strategies",
    icon: <ExperimentOutlined />,
    capability: "strategy.read",
    element: lazy(() => import("./strategies/StrategiesPage")),
  },
  {
    path: "/strategies/:name",
    capability: "strategy.read",
    element: lazy(() => import("./strategies/StrategyPage")),
  },
  {
    path: "/models",
    menu: "models",
    icon: <FundOutlined />,
    capability: "model.read",
    element: lazy(() => import("./models/ModelsPage")),
  },
  { path: "/models/:modelId", capability: "model.read", element: lazy(() => import("./models/ModelPage")) },
  {
    path: "/alerts",
    menu: "alerts",
    icon: <AlertOutlined />,
    capability: "alert.read",
    element: lazy(() => import("./alerts/AlertsPage")),
  },
  { path: "/alerts/:alertId", capability: "alert.read", element: lazy(() => import("./alerts/AlertPage")) },
  {
    path: "/collections",
    menu: "collections",
    icon: <PhoneOutlined />,
    capability: "collection.read",
    element: lazy(() => import("./collections/CollectionsPage")),
  },
  {
    path: "/collections/:caseId",
    capability: "collection.read",
    element: lazy(() => import("./collections/CollectionCasePage")),
  },
  {
    path: "/graph",
    menu: "graph",
    icon: <ApartmentOutlined />,
    capability: "graph.read",
    element: lazy(() => import("./graph/GraphExplorerPage")),
  },
  {
    path: "/prospects",
    menu: "prospects",
    icon: <RiseOutlined />,
    capability: "prospect.read",
    element: lazy(() => import("./prospects/ProspectsPage")),
  },
];

export const menuDict: Dict = {
  zh: {
    home: "工作台",
    reviews: "人工审核",
    strategies: "策略工作室",
    models: "模型与监控",
    alerts: "贷后预警",
    collections: "催收",
    graph: "关系图谱",
    prospects: "潜在客户",
  },
  en: {
    home: "Home",
    reviews: "Reviews",
    strategies: "Strategy studio",
    models: "Models & monitoring",
    alerts: "Post-loan alerts",
    collections: "Collections",
    graph: "Graph explorer",
    prospects: "Prospects",
  },
};
