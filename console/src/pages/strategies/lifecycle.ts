// Which lifecycle controls a principal sees for a version (docs/strategy.md, "Changing a strategy"). Only what the
// roles allow is shown; the four-eyes rules themselves (approver ≠ author, change approver ≠ requester) are left to
// the API, whose refusal the page shows, so a principal holding both roles learns why.
import type { StrategyVersion } from "./studioApi";

export interface Controls {
  edit: boolean; // the editor is writable, and "save" shown
  submit: boolean;
  newDraft: boolean;
  approve: boolean;
  requestActivation: boolean;
  rollback: boolean; // the activation request names a version older than the active one
}

export function controlsFor(
  version: StrategyVersion,
  principal: string,
  can: (capability: string) => boolean,
  activeVersion: number | null,
): Controls {
  const mine = version.author === principal;
  const ownDraft = version.status === "draft" && mine && can("strategy.edit");
  const activatable = version.status === "approved" || version.status === "retired";
  return {
    edit: ownDraft,
    submit: ownDraft,
    newDraft: can("strategy.edit"),
    approve: version.status === "submitted" && can("strategy.approve"),
    requestActivation: activatable && can("strategy.edit"),
    rollback: activatable && activeVersion !== null && version.version < activeVersion,
  };
}

/** The active version's number, if any. */
export function activeOf(versions: StrategyVersion[]): number | null {
  return versions.find((v) => v.status === "active")?.version ?? null;
}
