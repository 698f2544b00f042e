// Signed out: the sign-in page. Signed in: the menu of what the principal's roles allow, and those pages only.
import { Button, Layout, Menu, Radio, Space, Spin, Tag, Typography } from "antd";
import { Suspense, useContext } from "react";
import { Link, Route, Routes, useLocation } from "react-router-dom";
import { LangContext, useT, type Dict } from "./i18n";
import LoginPage from "./pages/login/LoginPage";
import NotFoundPage from "./pages/NotFoundPage";
import { menuDict, PAGES } from "./pages/registry";
import { useCan, useSession } from "./session";

const dict: Dict = {
  zh: { title: "riskloop 风控工作台", signOut: "退出", language: "界面语言", nav: "主导航", loading: "加载中" },
  en: { title: "riskloop risk console", signOut: "Sign out", language: "Language", nav: "Main navigation", loading: "Loading" },
};

function LangSwitch() {
  const { lang, setLang } = useContext(LangContext);
  const t = useT(dict);
  return (
    <div role="radiogroup" aria-label={t("language")}>
      <Radio.Group
        optionType="button"
        value={lang}
        onChange={(e) => setLang(e.target.value as "zh" | "en")}
        options={[
          { label: "中文", value: "zh" },
          { label: "English", value: "en" },
        ]}
      />
    </div>
  );
}

export function Shell() {
  const { me, loading, signOut } = useSession();
  const can = useCan();
  const t = useT(dict);
  const m = useT(menuDict);
  const location = useLocation();
  if (loading) return <Spin fullscreen tip={t("loading")} />;
  if (!me) return <LoginPage langSwitch={<LangSwitch />} />;

  const allowed = PAGES.filter((p) => !p.capability || can(p.capability));
  const selected = allowed
    .filter((p) => p.menu && (p.path === "/" ? location.pathname === "/" : location.pathname.startsWith(p.path)))
    .map((p) => p.path);
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Sider width={208} theme="light" breakpoint="lg" collapsedWidth={0}>
        <Typography.Title level={1} style={{ fontSize: 18, margin: 16 }}>
          {t("title")}
        </Typography.Title>
        <nav aria-label={t("nav")}>
          <Menu
            mode="inline"
            selectedKeys={selected}
            items={allowed
              .filter((p) => p.menu)
              .map((p) => ({ key: p.path, icon: p.icon, label: <Link to={p.path}>{m(p.menu!)}</Link> }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{ background: "#fff", display: "flex", justifyContent: "flex-end", alignItems: "center", gap: 16 }}
        >
          <Space>
            <Typography.Text strong data-testid="principal">
              {me.principal}
            </Typography.Text>
            {me.roles.map((r) => (
              <Tag key={r}>{r}</Tag>
            ))}
          </Space>
          <LangSwitch />
          <Button onClick={signOut}>{t("signOut")}</Button>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <main>
            <Suspense fallback={<Spin tip={t("loading")} />}>
              <Routes>
                {allowed.map((p) => (
                  <Route key={p.path} path={p.path} element={<p.element />} />
                ))}
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
