import '../styles/layout.css'

/** Web mode without a token: say what to do instead of showing a dead app. */
export function NeedsToken() {
  return (
    <main className="splash" data-testid="needs-token">
      <h1>Strata needs its access token</h1>
      <p>
        This page must be opened with the address that <code>npm run web</code> printed, which includes the access token:
      </p>
      <pre className="splash-example">Open http://127.0.0.1:PORT/?token=…</pre>
      <p>The token keeps other web pages and other users on this machine away from your data. Copy the full address from the terminal.</p>
    </main>
  )
}
