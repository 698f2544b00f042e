// Sign in with an API key (`riskloop keys create`; `make demo` prints one per demo role).
import { Alert, Button, Card, Form, Input, Space, Typography } from "antd";
import { useState, type ReactNode } from "react";
import { useT, type Dict } from "../../i18n";
import { useSession } from "../../session";

const dict: Dict = {
  zh: {
    title: "登录 riskloop 风控工作台",
    key: "API 密钥",
    keyHelp: "由 riskloop keys create 生成；演示环境的密钥由 make demo 输出",
    required: "请输入 API 密钥",
    signIn: "登录",
  },
  en: {
    title: "Sign in to the riskloop console",
    key: "API key",
    keyHelp: "Created by riskloop keys create; make demo prints one per demo role",
    required: "Enter an API key",
    signIn: "Sign in",
  },
};

export default function LoginPage({ langSwitch }: { langSwitch: ReactNode }) {
  const t = useT(dict);
  const { signIn } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async ({ key }: { key: string }) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(key.trim());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main style={{ display: "flex", justifyContent: "center", paddingTop: "12vh" }}>
      <Card style={{ width: 440 }}>
        <Space direction="vertical" style={{ width: "100%" }}>
          <div style={{ display: "flex", justifyContent: "flex-end" }}>{langSwitch}</div>
          <Typography.Title level={1} style={{ fontSize: 22 }}>
            {t("title")}
          </Typography.Title>
          {error && <Alert type="error" showIcon message={error} role="alert" />}
          <Form layout="vertical" onFinish={submit} requiredMark={false}>
            <Form.Item
              label={t("key")}
              name="key"
              extra={t("keyHelp")}
              rules={[{ required: true, whitespace: true, message: t("required") }]}
            >
              <Input.Password autoComplete="off" autoFocus />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} block>
              {t("signIn")}
            </Button>
          </Form>
        </Space>
      </Card>
    </main>
  );
}
