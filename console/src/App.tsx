// The console's frame: language (antd's locale follows it), the session, the router under /console.
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { useState } from "react";
import { BrowserRouter } from "react-router-dom";
import { initialLang, LangContext, type Lang } from "./i18n";
import { Shell } from "./Shell";
import { SessionProvider } from "./session";

// Contrast of at least 4.5:1 on white and on the layout's grey (axe): antd's default secondary text (#8c8c8c),
// link blue and error red fall short of it.
const THEME = {
  colorPrimary: "#1554ad",
  colorLink: "#1554ad",
  colorTextSecondary: "#595959",
  colorTextDescription: "#595959",
  colorError: "#c41d1d",
};

export default function App() {
  const [lang, setLangState] = useState<Lang>(initialLang());
  const setLang = (l: Lang) => {
    localStorage.setItem("riskloop.lang", l);
    document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
    setLangState(l);
  };
  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <ConfigProvider locale={lang === "zh" ? zhCN : enUS} theme={{ token: THEME }}>
        <AntApp>
          <SessionProvider>
            <BrowserRouter basename="/console">
              <Shell />
            </BrowserRouter>
          </SessionProvider>
        </AntApp>
      </ConfigProvider>
    </LangContext.Provider>
  );
}
