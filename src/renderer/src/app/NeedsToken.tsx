import '../styles/layout.css';

/** Web mode without a session: say what to do instead of showing a dead app. */
export function NeedsToken({ wrongToken }: { wrongToken: boolean }) {
  return (
    <main className="splash" data-testid="needs-token">
      <h1>Strata needs its access token</h1>
      {wrongToken ? (
        <p data-testid="wrong-token">
          The access token in this address is not the one this server printed. It makes a new one each time it starts: copy the address it
          printed this time.
        </p>
      ) : (
        <p>
          This page must be opened with the address that <code>npm run web</code> printed, which includes the access token:
        </p>
      )}
      <pre className="splash-example">Open http://127.0.0.1:PORT/?token=…</pre>
      <p>
        The token keeps other web pages and other users on this machine away from your data. The page trades it for a session at once and
        removes it from the address bar.
      </p>
    </main>
  );
}
