// The strategy page's data: versions, pending activation changes, and each version's content (read once).
import { useCallback, useEffect, useRef, useState } from "react";
import { listVersions, pendingChanges, versionContent, type PendingChange, type StrategyVersion } from "./studioApi";

export function useStudio(name: string) {
  const [versions, setVersions] = useState<StrategyVersion[]>([]);
  const [changes, setChanges] = useState<PendingChange[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const contents = useRef(new Map<number, Promise<string>>());

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const [v, c] = await Promise.all([listVersions(name), pendingChanges(name)]);
      setVersions(v);
      setChanges(c);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [name]);

  useEffect(() => {
    contents.current.clear();
    void reload();
  }, [reload]);

  /** A version's JDM text; drafts are re-read (they change), published versions never do. */
  const load = useCallback(
    (version: number, fresh = false): Promise<string> => {
      const cached = contents.current.get(version);
      if (cached && !fresh) return cached;
      const p = versionContent(name, version);
      contents.current.set(version, p);
      p.catch(() => contents.current.delete(version));
      return p;
    },
    [name],
  );

  return { versions, changes, loading, error, reload, load };
}

/** The version the page opens first: the principal's latest draft, else the active one, else the latest. */
export function defaultVersion(versions: StrategyVersion[], principal: string): number | null {
  const desc = [...versions].sort((a, b) => b.version - a.version);
  const mine = desc.find((v) => v.status === "draft" && v.author === principal);
  return (mine ?? desc.find((v) => v.status === "active") ?? desc[0])?.version ?? null;
}
