// The console's frame: language (antd's locale follows it), the session, the router under /console.
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { useState } from "react";
import { BrowserRouter } from "react-router-dom";
import { initialLang, LangContext, type Lang } from "./i18n";
import { Shell } from "./Shell";
import { SessionProvider } from "./session";

export default function App() {
  const [lang, setLangState] = useState<Lang>(initialLang());
  const setLang = (l: Lang) => {
    localStorage.setItem("riskloop.lang", l);
    document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
    setLangState(l);
  };
  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <ConfigProvider locale={lang === "zh" ? zhCN : enUS} theme={{ token: { colorPrimary: "#1554ad" } }}>
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
