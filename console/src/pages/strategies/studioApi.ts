// Every call the strategy studio makes, through the generated client.
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type StrategyVersion = components["schemas"]["StrategyVersionOut"];
export type StrategySummary = components["schemas"]["StrategyOverviewOut"];
export type PendingChange = components["schemas"]["ChangeViewOut"];
export type BacktestResult = components["schemas"]["BacktestOut"];
export type Status = "draft" | "submitted" | "approved" | "active" | "retired";

const names = (name: string) => ({ params: { path: { name } } });
const at = (name: string, version: number) => ({ params: { path: { name, version } } });

/** Every strategy: name, active and latest version, count of versions by status. */
export async function listStrategies(): Promise<StrategySummary[]> {
  return unwrap(await api.GET("/v1/strategies")).strategies;
}

export async function listVersions(name: string): Promise<StrategyVersion[]> {
  return unwrap(await api.GET("/v1/strategies/{name}/versions", names(name))).versions;
}

/** A version's JDM JSON text. */
export async function versionContent(name: string, version: number): Promise<string> {
  return unwrap(await api.GET("/v1/strategies/{name}/versions/{version}", at(name, version))).content;
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

/** Activation requests (rollbacks too) waiting for another person's approval, of this strategy. */
export async function pendingChanges(name: string): Promise<PendingChange[]> {
  const changes = unwrap(await api.GET("/v1/strategy-changes", { params: { query: { status: "pending" } } })).changes;
  return changes.filter((c) => c.name === name);
}

/** Backtest a version against the active one on a seeded sample of the workspace's history. */
export async function backtest(name: string, version: number, sample: number): Promise<BacktestResult> {
  const body = { sample };
  return unwrap(await api.POST("/v1/strategies/{name}/versions/{version}/backtest", { ...at(name, version), body }));
}
