// The graph reads of the API (/v1/graph/…), typed by the OpenAPI document, in the shape GraphView draws.
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import type { GraphData } from "./types";

export type Graph = components["schemas"]["GraphOut"];
export type GraphPath = components["schemas"]["PathOut"];
export type EnterpriseHit = components["schemas"]["EnterpriseHitOut"];

/** The node id the API gives an enterprise. */
export function enterpriseId(creditCode: string): string {
  return `enterprise:${creditCode}`;
}

export function asData(graph: Graph): GraphData {
  return { nodes: graph.nodes, edges: graph.edges };
}

export async function neighbourhood(creditCode: string, hops: number, limit = 2000): Promise<Graph> {
  return unwrap(
    await api.GET("/v1/graph/enterprises/{credit_code}/neighbourhood", {
      params: { path: { credit_code: creditCode }, query: { hops, limit } },
    }),
  );
}

export async function nearestBad(creditCode: string): Promise<GraphPath> {
  return unwrap(
    await api.GET("/v1/graph/enterprises/{credit_code}/nearest-bad", { params: { path: { credit_code: creditCode } } }),
  );
}

export async function shortestPath(source: string, target: string): Promise<GraphPath> {
  return unwrap(await api.GET("/v1/graph/paths", { params: { query: { source, target } } }));
}

export async function searchEnterprises(q: string): Promise<components["schemas"]["EnterpriseSearchOut"]> {
  return unwrap(await api.GET("/v1/graph/enterprises", { params: { query: { q, limit: 20 } } }));
}
