// A card whose title is a level-3 heading (page titles are h2), so headings stay in order for screen readers.
import { Card, Typography } from "antd";
import type { ReactNode } from "react";

export function Titled({ title, children, extra }: { title: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <Card
      size="small"
      extra={extra}
      title={
        <Typography.Title level={3} style={{ margin: 0, fontSize: 15 }}>
          {title}
        </Typography.Title>
      }
    >
      {children}
    </Card>
  );
}
