// Placeholder until this page is built (issue 19).
import { Empty } from "antd";

export default function Page() {
  return <Empty description="StrategyPage" />;
}
