// The review's history, oldest first: who did what and when, with the comment of each decision.
import { Timeline, Typography } from "antd";
import { useLang, useT } from "../../i18n";
import { when, words } from "./labels";
import type { Case } from "./reviewApi";

const COLOURS: Record<string, string> = {
  "review.claimed": "blue",
  "review.released": "gray",
  "review.reopened": "orange",
  "review.override_requested": "orange",
  "review.decided": "green",
  "review.second_decision": "green",
};

export default function CaseHistory({ history }: { history: Case["review"]["history"] }) {
  const w = useT(words);
  const lang = useLang();
  return (
    <Timeline
      data-testid="history"
      items={history.map((h) => {
        const detail = h.detail as Record<string, unknown>;
        return {
          color: COLOURS[h.action] ?? "gray",
          children: (
            <>
              <Typography.Text strong>{w(h.action)}</Typography.Text>
              {detail.outcome ? ` · ${w(String(detail.outcome))}` : ""}
              <br />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {h.actor} · {when(h.at, lang)}
              </Typography.Text>
              {detail.comment ? (
                <Typography.Paragraph style={{ margin: "4px 0 0", fontSize: 13 }}>“{String(detail.comment)}”</Typography.Paragraph>
              ) : null}
            </>
          ),
        };
      })}
    />
  );
}
