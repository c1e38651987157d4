import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { type AdminClient, createAdminClient } from './admin-client.ts';
import type { SessionInfo } from './types.ts';

export interface SessionState {
  client: AdminClient;
  /** undefined while checking, null when signed out. */
  session: SessionInfo | null | undefined;
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** Holds the console session; on load it asks the server whether the cookie is still good. */
export function SessionProvider(props: { children: ComponentChildren }) {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const client = useMemo(() => createAdminClient(() => setSession(null)), []);
  useEffect(() => {
    client.get<SessionInfo>('/session').then(
      (s) => {
        client.setCsrf(s.csrfToken);
        setSession(s);
      },
      () => setSession(null),
    );
  }, [client]);
  const value = useMemo<SessionState>(
    () => ({
      client,
      session,
      async signIn(token) {
        const s = await client.send<SessionInfo>('POST', '/session', { token });
        client.setCsrf(s.csrfToken);
        setSession(s);
      },
      async signOut() {
        try {
          await client.send('DELETE', '/session');
        } finally {
          client.setCsrf(null);
          setSession(null);
        }
      },
    }),
    [client, session],
  );
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The API client of the signed-in console. */
export const useClient = (): AdminClient => useSession().client;
