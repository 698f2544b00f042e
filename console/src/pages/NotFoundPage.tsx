// A path the principal may not see, or that does not exist: the same answer, so the console leaks no page names.
import { Result } from "antd";
import { Link } from "react-router-dom";
import { useT, type Dict } from "../i18n";

const dict: Dict = {
  zh: { title: "页面不存在或无权访问", home: "返回工作台" },
  en: { title: "No such page, or not for your roles", home: "Back to home" },
};

export default function NotFoundPage() {
  const t = useT(dict);
  return <Result status="404" title={t("title")} extra={<Link to="/">{t("home")}</Link>} />;
}
