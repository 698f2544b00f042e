// Sign-in with an API key: the key is kept for this tab only (sessionStorage) and checked against GET /v1/me, which
// names the principal, its roles and what those roles may do. The console shows only what `can` allows; the API
// checks every call again, so a hidden button is never the permission.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, unwrap, useKey } from "./api/client";

export interface Me {
  principal: string;
  roles: string[];
  can: Set<string>;
}

interface SessionValue {
  me: Me | null;
  loading: boolean;
  signIn: (key: string) => Promise<void>;
  signOut: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);
const STORE = "riskloop.key";

function capabilities(can: unknown): Set<string> {
  if (Array.isArray(can)) return new Set(can.map(String));
  if (can && typeof can === "object") {
    return new Set(Object.entries(can as Record<string, unknown>).filter(([, v]) => v === true).map(([k]) => k));
  }
  return new Set();
}

async function whoAmI(): Promise<Me> {
  const body = unwrap(await api.GET("/v1/me"));
  return { principal: body.principal, roles: body.roles, can: capabilities(body.can) };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const signIn = useCallback(async (key: string) => {
    useKey(key);
    try {
      setMe(await whoAmI());
      sessionStorage.setItem(STORE, key);
    } catch (err) {
      useKey(null);
      throw err;
    }
  }, []);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORE);
    useKey(null);
    setMe(null);
  }, []);

  useEffect(() => {
    const saved = sessionStorage.getItem(STORE);
    if (!saved) {
      setLoading(false);
      return;
    }
    signIn(saved)
      .catch(() => sessionStorage.removeItem(STORE))
      .finally(() => setLoading(false));
  }, [signIn]);

  return <SessionContext.Provider value={{ me, loading, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** Whether the signed-in principal may do `capability` (for showing a control; the API still decides). */
export function useCan(): (capability: string) => boolean {
  const { me } = useSession();
  return (capability) => me?.can.has(capability) ?? false;
}
