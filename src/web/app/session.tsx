import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { SessionInfo } from '../../shared/identity/schema';
import { ApiFailure, api, SESSION_STALE_EVENT, setCsrfToken } from './api';

export type { SessionInfo };

/** A one-off message shown at the top of a page after navigating there ("You have signed out."). */
export type Notice = { text: string; path: string };

type SessionContextValue = {
  session: SessionInfo;
  /** Re-reads GET /api/session (after sign-out, a role change, a stale CSRF token …). */
  refresh: () => Promise<SessionInfo>;
  /** Adopts a SessionInfo an API call answered with (sign-in, second factor, set-up). */
  setSession: (info: SessionInfo) => void;
  notice: Notice | null;
  showNotice: (text: string, path: string) => void;
  clearNotice: () => void;
};

const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession needs a SessionProvider');
  return value;
}

/** Loads the session once, keeps the CSRF token in the API client in step, and shares both. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSessionState] = useState<SessionInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const setSession = useCallback((info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    setSessionState(info);
  }, []);

  const refresh = useCallback(async () => {
    const info = await api.get<SessionInfo>('/api/session');
    setSession(info);
    setLoadError(null);
    return info;
  }, [setSession]);

  const load = useCallback(() => {
    refresh().catch((error: unknown) =>
      setLoadError(error instanceof ApiFailure ? error.message : 'Upstander could not start.'),
    );
  }, [refresh]);

  useEffect(() => {
    load();
    const onStale = () => void refresh().catch(() => undefined);
    window.addEventListener(SESSION_STALE_EVENT, onStale);
    return () => window.removeEventListener(SESSION_STALE_EVENT, onStale);
  }, [load, refresh]);

  const value = useMemo(
    () =>
      session && {
        session,
        refresh,
        setSession,
        notice,
        showNotice: (text: string, path: string) => setNotice({ text, path }),
        clearNotice: () => setNotice(null),
      },
    [session, refresh, setSession, notice],
  );

  if (!value) {
    return (
      <main id="main" className="container boot" tabIndex={-1}>
        {loadError ? (
          <div role="alert" className="error-summary">
            <h1>Upstander is not available</h1>
            <p>{loadError}</p>
            <button type="button" className="button" onClick={load}>
              Try again
            </button>
          </div>
        ) : (
          <p role="status">Loading Upstander…</p>
        )}
      </main>
    );
  }
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session after signing out (adopted at once; GET /api/session confirms it). */
export const SIGNED_OUT: SessionInfo = {
  stage: 'signed_out',
  csrfToken: null,
  user: null,
  memberships: [],
  caseHandlerOf: [],
};

/** What the signed-in person may see, derived from the session (the server checks again). */
export function rolesOf(session: SessionInfo) {
  const signedIn = session.stage === 'signed_in' && session.user !== null;
  const ledNetworks = signedIn ? session.memberships.filter((m) => m.role === 'lead') : [];
  return {
    signedIn,
    isAdmin: signedIn && session.user!.isAdmin,
    isLead: ledNetworks.length > 0,
    ledNetworks,
    isCaseHandler: signedIn && session.caseHandlerOf.length > 0,
  };
}

/** Only same-site paths are followed after signing in (never another site, never `//host`). */
export function safeNext(next: string | null | undefined): string | null {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}

const NEXT_KEY = 'upstander.next';
const NEXT_TTL_MS = 15 * 60 * 1000;

/**
 * Remembers, for this tab, the page a visitor asked for before being sent to sign in, so they get
 * there even if the sign-in page is reloaded or opened afresh (the `next` query parameter wins).
 */
export function rememberNext(path: string) {
  try {
    sessionStorage.setItem(NEXT_KEY, JSON.stringify({ path, at: Date.now() }));
  } catch {
    // Storage may be off; the `next` parameter still works.
  }
}

export function rememberedNext(): string | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(NEXT_KEY) ?? 'null') as {
      path?: string;
      at?: number;
    } | null;
    if (!saved?.path || !saved.at || Date.now() - saved.at > NEXT_TTL_MS) return null;
    return safeNext(saved.path);
  } catch {
    return null;
  }
}

export function forgetNext() {
  try {
    sessionStorage.removeItem(NEXT_KEY);
  } catch {
    // nothing to forget
  }
}
