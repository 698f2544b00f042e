// Every call the strategy studio makes, through the generated client. Routes still being added on the API branches
// (GET /v1/strategies, a version's content, the backtest) go through `pending` — the same client, typed by the
// shapes below until the schema has them; the integrator swaps them for typed calls once merged.
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type StrategyVersion = components["schemas"]["StrategyVersionOut"];
export type Status = "draft" | "submitted" | "approved" | "active" | "retired";

export interface StrategySummary {
  name: string;
  active_version: number | null;
  latest_version: number | null;
  counts: Partial<Record<Status, number>>;
}

export interface BacktestSide {
  [metric: string]: unknown;
}

export interface BacktestResult {
  champion: BacktestSide;
  challenger: BacktestSide;
  swap_in?: SwapSet;
  swap_out?: SwapSet;
  [extra: string]: unknown;
}

export interface SwapSet {
  count: number;
  bad_rate?: number | null;
  examples?: Record<string, unknown>[];
}

type Answer = { data?: unknown; error?: unknown; response: Response };
type Loose = {
  GET: (path: string, init?: object) => Promise<Answer>;
  POST: (path: string, init?: object) => Promise<Answer>;
};
const pending = api as unknown as Loose; // the same client (auth, base URL), not yet typed for these routes

const names = (name: string) => ({ params: { path: { name } } });
const at = (name: string, version: number) => ({ params: { path: { name, version } } });

/** Every strategy: name, active and latest version, count of versions by status. */
export async function listStrategies(): Promise<StrategySummary[]> {
  const body = unwrap(await pending.GET("/v1/strategies")) as { strategies?: unknown[] };
  return (body.strategies ?? []).map((s) => normaliseSummary(s as Record<string, unknown>));
}

/** Accepts the summary under the names the API may give its fields (active / active_version …). */
function normaliseSummary(s: Record<string, unknown>): StrategySummary {
  const num = (v: unknown) => (typeof v === "number" ? v : v && typeof v === "object" ? num((v as { version?: unknown }).version) : null);
  const counts = (s.counts ?? s.by_status ?? s.versions_by_status ?? {}) as Partial<Record<Status, number>>;
  return {
    name: String(s.name),
    active_version: num(s.active_version ?? s.active),
    latest_version: num(s.latest_version ?? s.latest),
    counts,
  };
}

export async function listVersions(name: string): Promise<StrategyVersion[]> {
  return unwrap(await api.GET("/v1/strategies/{name}/versions", names(name))).versions;
}

/** A version's JDM JSON text. */
export async function versionContent(name: string, version: number): Promise<string> {
  const body = unwrap(await pending.GET(`/v1/strategies/${name}/versions/${version}`)) as { content?: unknown };
  if (typeof body.content === "string") return body.content;
  return JSON.stringify(body.content ?? body);
}

export async function createDraft(name: string, content: string, note: string): Promise<StrategyVersion> {
  return unwrap(await api.POST("/v1/strategies/{name}/versions", { ...names(name), body: { content, note } }));
}

export async function saveDraft(name: string, version: number, content: string): Promise<StrategyVersion> {
  return unwrap(await api.PUT("/v1/strategies/{name}/versions/{version}", { ...at(name, version), body: { content } }));
}

export async function submitVersion(name: string, version: number): Promise<StrategyVersion> {
  return unwrap(await api.POST("/v1/strategies/{name}/versions/{version}/submit", { ...at(name, version), body: {} }));
}

export async function approveVersion(name: string, version: number): Promise<StrategyVersion> {
  return unwrap(await api.POST("/v1/strategies/{name}/versions/{version}/approve", { ...at(name, version), body: {} }));
}

export async function requestActivation(name: string, version: number, note: string): Promise<number> {
  const body = { version, note };
  return unwrap(await api.POST("/v1/strategies/{name}/activations", { ...names(name), body })).change_id;
}

export async function approveChange(changeId: number): Promise<StrategyVersion> {
  const init = { params: { path: { change_id: changeId } }, body: {} };
  return unwrap(await api.POST("/v1/strategy-changes/{change_id}/approve", init));
}

/** Activation requests waiting for approval (empty when the API does not list them). */
export async function pendingChanges(name: string): Promise<PendingChange[]> {
  const answer = await pending.GET("/v1/strategy-changes", { params: { query: { status: "pending" } } });
  if (answer.response.status === 404 || answer.response.status === 405) return [];
  const body = unwrap(answer) as { changes?: PendingChange[] };
  return (body.changes ?? []).filter((c) => !c.name || c.name === name);
}

export interface PendingChange {
  change_id: number;
  name?: string;
  version: number;
  requested_by?: string;
  note?: string;
  requested_at?: string;
}

/** Backtest a version against the active one on the workspace's own applications. */
export async function backtest(name: string, version: number, sample?: number): Promise<BacktestResult> {
  const init = { body: sample ? { sample } : {} };
  return unwrap(await pending.POST(`/v1/strategies/${name}/versions/${version}/backtest`, init)) as BacktestResult;
}
