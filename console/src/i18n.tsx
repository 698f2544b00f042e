// Chinese first, English available. Each page keeps its own strings beside it (a `Dict`); the language is chosen
// once in the header and remembered in the browser.
import { createContext, useContext } from "react";

export type Lang = "zh" | "en";
export type Dict = { zh: Record<string, string>; en: Record<string, string> };

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({
  lang: "zh",
  setLang: () => undefined,
});

export function initialLang(): Lang {
  const saved = localStorage.getItem("riskloop.lang");
  return saved === "en" ? "en" : "zh";
}

/** `t(key, vars)` over `dict` in the current language; an unknown key shows itself, so a gap is visible. */
export function useT(dict: Dict): (key: string, vars?: Record<string, string | number>) => string {
  const { lang } = useContext(LangContext);
  return (key, vars) => {
    let text = dict[lang][key] ?? dict.zh[key] ?? key;
    for (const [name, value] of Object.entries(vars ?? {})) text = text.replaceAll(`{${name}}`, String(value));
    return text;
  };
}

export function useLang(): Lang {
  return useContext(LangContext).lang;
}
