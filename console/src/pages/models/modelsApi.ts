// Every call the model pages make, through the generated client.
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";

export type Model = components["schemas"]["ModelOut"];
export type ModelCard = components["schemas"]["ModelCardOut"];

export interface DriftPoint {
  as_of: string;
  decisions: number;
  score_psi: number | null;
  inputs: Record<string, number>;
}

export interface Vintage {
  vintage: string;
  rows: number;
  bads: number;
  predicted: number | null;
  observed: number | null;
}

export const HORIZONS = [3, 6, 12] as const;

export async function listModels(): Promise<Model[]> {
  return unwrap(await api.GET("/v1/models")).models;
}

export async function modelCard(modelId: string): Promise<ModelCard> {
  return unwrap(await api.GET("/v1/models/{model_id}", { params: { path: { model_id: modelId } } }));
}

export async function approveModel(modelId: string): Promise<Model> {
  return unwrap(await api.POST("/v1/models/{model_id}/approve", { params: { path: { model_id: modelId } }, body: {} }));
}

export async function activateModel(modelId: string): Promise<Model> {
  return unwrap(await api.POST("/v1/models/{model_id}/activate", { params: { path: { model_id: modelId } }, body: {} }));
}

/** PSI of the active model's score and inputs over the 12 windows of 30 days up to `until` (empty ones left out). */
export async function drift(until: string): Promise<{ model: string; points: DriftPoint[] }> {
  const body = unwrap(await api.GET("/v1/models/drift", { params: { query: { until, points: 12, step_days: 30 } } }));
  const points = (body.points as unknown as DriftPoint[]).filter((p) => p.decisions > 0);
  return { model: body.model, points };
}

/** Each cohort's bad rate at 3, 6 and 12 months on book as of `asOf` (from the monitoring report per horizon). */
export async function vintages(asOf: string): Promise<Record<number, Vintage[]>> {
  const reports = await Promise.all(
    HORIZONS.map(async (horizon) =>
      unwrap(await api.GET("/v1/models/monitoring", { params: { query: { as_of: asOf, horizon } } })),
    ),
  );
  const out: Record<number, Vintage[]> = {};
  HORIZONS.forEach((h, i) => {
    const performance = (reports[i] as { performance?: { vintages?: Vintage[] } }).performance;
    out[h] = performance?.vintages ?? [];
  });
  return out;
}
