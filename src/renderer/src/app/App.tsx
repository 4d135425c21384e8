import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Client } from '../api/client';
import type { ConnectionStore } from '../api/connection';
import type { AppInfo, JobProgress } from '../../../shared/ipc/types';
import { CollectionView } from '../collections/CollectionView';
import { Sidebar } from '../collections/Sidebar';
import { useCollections } from '../collections/useCollections';
import { DraftsContext, DraftStore } from '../editor/drafts';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { useNotify } from '../ui/Toasts';
import { ClientContext, InfoContext, JobsContext } from './context';
import { StatusBar } from './StatusBar';
import '../styles/layout.css';

const neverChanges = () => () => {};
const noConnection = () => null;

export function App({ client, connection }: { client: Client; connection: ConnectionStore | null }) {
  const notify = useNotify();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [jobs, setJobs] = useState<ReadonlyMap<string, JobProgress>>(new Map());
  const conn = useSyncExternalStore(connection?.subscribe ?? neverChanges, connection?.get ?? noConnection);
  const collections = useCollections(client);
  const [drafts] = useState(() => new DraftStore());

  // Closing or reloading the window with unsaved value edits asks first
  // (in Electron, main turns the cancelled unload into a dialog).
  useEffect(() => {
    const guard = (event: BeforeUnloadEvent) => {
      if (drafts.size === 0) return;
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, [drafts]);

  const refreshInfo = useCallback(async () => {
    try {
      setInfo(await client['app.info']({}));
    } catch (err) {
      notify.error(err, 'read the app information');
    }
  }, [client, notify]);

  useEffect(() => {
    void refreshInfo();
  }, [refreshInfo]);

  useEffect(
    () =>
      client.subscribe((event) => {
        if (event.kind === 'folder-changed') {
          setSelected(null);
          void refreshInfo();
        } else if (event.kind === 'job') {
          setJobs((prev) => new Map(prev).set(event.job.id, event.job));
        }
      }),
    [client, refreshInfo],
  );

  // A collection that disappears (dropped, or another folder opened) must not stay "selected".
  useEffect(() => {
    if (selected !== null && collections.list !== null && !collections.list.some((c) => c.name === selected)) setSelected(null);
  }, [collections.list, selected]);

  if (!info) {
    const failed = conn !== null && conn.state === 'closed' && !conn.everOpen;
    return (
      <main className="splash" aria-busy={!failed}>
        {failed ? (
          <>
            <h1>Cannot reach the Strata server</h1>
            <p>
              The server refused the connection or is not running ({conn.detail ?? 'no answer'}). If it was restarted, it printed a new
              address with a new access token: open that one. Retrying…
            </p>
          </>
        ) : (
          <p className="muted">Connecting…</p>
        )}
      </main>
    );
  }

  return (
    <ClientContext.Provider value={client}>
      <InfoContext.Provider value={info}>
        <JobsContext.Provider value={jobs}>
          <DraftsContext.Provider value={drafts}>
            <div className="app" data-testid="app-ready">
              <ErrorBoundary area="the sidebar">
                <Sidebar collections={collections} selected={selected} onSelect={setSelected} onInfo={setInfo} />
              </ErrorBoundary>
              <main className="workspace">
                <ErrorBoundary area="this collection's view" resetKey={selected}>
                  {selected ? (
                    <CollectionView key={selected} name={selected} summary={collections.list?.find((c) => c.name === selected) ?? null} />
                  ) : (
                    <EmptyWorkspace count={collections.list?.length ?? 0} />
                  )}
                </ErrorBoundary>
              </main>
              <StatusBar
                info={info}
                connection={conn}
                selected={selected}
                stats={selected ? (collections.stats.get(selected) ?? null) : null}
                jobs={jobs}
              />
            </div>
          </DraftsContext.Provider>
        </JobsContext.Provider>
      </InfoContext.Provider>
    </ClientContext.Provider>
  );
}

function EmptyWorkspace({ count }: { count: number }) {
  return (
    <div className="empty-workspace">
      <h2>{count === 0 ? 'No collections in this folder yet' : 'Pick a collection'}</h2>
      <p className="muted">
        {count === 0 ? 'Create one with “New” in the sidebar.' : 'Choose a collection in the sidebar to browse and edit its keys.'}
      </p>
    </div>
  );
}
