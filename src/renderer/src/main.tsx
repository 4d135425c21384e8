import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client';
import { connectionStore } from './api/connection';
import { electronBridge, electronTransport } from './api/electron-transport';
import { checkSession, dropTokenFromAddress, webTransport } from './api/web-transport';
import { App } from './app/App';
import { NeedsToken } from './app/NeedsToken';
import { ErrorBoundary } from './ui/ErrorBoundary';
import { ToastProvider } from './ui/Toasts';
import './styles/base.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html is missing #root');

async function boot(): Promise<ReactNode> {
  // The desktop app's preload exposes window.strata; anything else is web mode and needs a session with the server.
  const bridge = electronBridge();
  if (bridge) return <App client={createClient(electronTransport(bridge))} connection={null} />;
  const hadToken = dropTokenFromAddress();
  // No answer at all: the app itself says the server cannot be reached, and keeps retrying.
  if ((await checkSession()) === false) return <NeedsToken wrongToken={hadToken} />;
  const connection = connectionStore();
  return <App client={createClient(webTransport(connection.set))} connection={connection} />;
}

const view = createRoot(root);
const show = (content: ReactNode) =>
  view.render(
    <StrictMode>
      <ErrorBoundary area="Strata">
        <ToastProvider>{content}</ToastProvider>
      </ErrorBoundary>
    </StrictMode>,
  );
show(
  <main className="splash" aria-busy>
    <p className="muted">Connecting…</p>
  </main>,
);
boot().then(show, (err: Error) =>
  show(
    <main className="splash">
      <h1>Strata could not start</h1>
      <p>{err.message}</p>
    </main>,
  ),
);
