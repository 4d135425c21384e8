import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createClient } from './api/client'
import { connectionStore } from './api/connection'
import { electronBridge, electronTransport } from './api/electron-transport'
import { takeToken, webTransport } from './api/web-transport'
import { App } from './app/App'
import { NeedsToken } from './app/NeedsToken'
import { ErrorBoundary } from './ui/ErrorBoundary'
import { ToastProvider } from './ui/Toasts'
import './styles/base.css'

const root = document.getElementById('root')
if (!root) throw new Error('index.html is missing #root')

function boot() {
  // The desktop app's preload exposes window.strata; anything else is web mode and needs the token from the URL.
  const bridge = electronBridge()
  if (bridge) return <App client={createClient(electronTransport(bridge))} connection={null} />
  const token = takeToken()
  if (!token) return <NeedsToken />
  const connection = connectionStore()
  return <App client={createClient(webTransport(token, connection.set))} connection={connection} />
}

createRoot(root).render(
  <StrictMode>
    <ErrorBoundary area="Strata">
      <ToastProvider>{boot()}</ToastProvider>
    </ErrorBoundary>
  </StrictMode>
)
