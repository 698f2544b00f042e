// Number formatting shared by the studio and model pages (rates as percentages, missing as a dash).
export const DASH = "—";

export function pct(value: unknown, digits = 1): string {
  return typeof value === "number" && Number.isFinite(value) ? `${(value * 100).toFixed(digits)}%` : DASH;
}

export function num(value: unknown, digits = 3): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : DASH;
}

export function int(value: unknown, lang: "zh" | "en" = "zh"): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toLocaleString(lang === "zh" ? "zh-CN" : "en-US") : DASH;
}

export function day(iso: unknown, lang: "zh" | "en" = "zh"): string {
  if (typeof iso !== "string" || !iso) return DASH;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { dateStyle: "medium", timeStyle: "short" });
}
