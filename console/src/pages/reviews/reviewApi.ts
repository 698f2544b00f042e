// The review desk's calls, typed by the OpenAPI document. The API decides every one (roles, leases, four eyes);
// the pages show its answer, an error included.
import { api, unwrap } from "../../api/client";
import type { components, paths } from "../../api/schema";

export type Review = components["schemas"]["ReviewOut"];
// by the operation, not the schema name: two route modules name a schema CaseOut
export type Case = paths["/v1/reviews/{decision_id}"]["get"]["responses"][200]["content"]["application/json"];
export type Outcome = "approved" | "declined";

export const LEASE_MINUTES = 15;

export async function listReviews(minAgeMinutes?: number): Promise<Review[]> {
  const query = minAgeMinutes ? { min_age_minutes: minAgeMinutes } : {};
  return unwrap(await api.GET("/v1/reviews", { params: { query } })).reviews;
}

export async function getCase(decisionId: string): Promise<Case> {
  return unwrap(await api.GET("/v1/reviews/{decision_id}", { params: { path: { decision_id: decisionId } } }));
}

export async function claim(decisionId: string): Promise<Review> {
  const path = { decision_id: decisionId };
  return unwrap(await api.POST("/v1/reviews/{decision_id}/claim", { params: { path }, body: { lease_minutes: LEASE_MINUTES } }));
}

export async function release(decisionId: string): Promise<Review> {
  const path = { decision_id: decisionId };
  return unwrap(await api.POST("/v1/reviews/{decision_id}/release", { params: { path }, body: {} }));
}

export async function decide(decisionId: string, outcome: Outcome, comment: string): Promise<Review> {
  const path = { decision_id: decisionId };
  return unwrap(await api.POST("/v1/reviews/{decision_id}/decision", { params: { path }, body: { outcome, comment } }));
}

export async function reopen(decisionId: string, comment: string): Promise<Review> {
  const path = { decision_id: decisionId };
  return unwrap(await api.POST("/v1/decisions/{decision_id}/review", { params: { path }, body: { comment } }));
}

/** Whether the lease of `review` runs at `now` (the API's clock may differ a little; the API decides). */
export function leaseRuns(review: Review, now = Date.now()): boolean {
  return !!review.claimed_by && !!review.lease_expires_at && Date.parse(review.lease_expires_at) > now;
}

/** Why `me` may not take `review` (a reason key of the pages' dicts), or null when a claim may succeed. */
export function claimBlock(review: Review, me: string): string | null {
  if (review.status === "closed") return "blockClosed";
  if (review.reopened_by === me) return "blockReopener";
  if (review.status === "awaiting_second" && review.first_reviewer === me) return "blockFirst";
  if (leaseRuns(review) && review.claimed_by !== me) return "blockLease";
  return null;
}
