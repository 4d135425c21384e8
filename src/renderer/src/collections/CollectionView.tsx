import { memo, useState } from 'react'
import type { CollectionSummary } from '../../../shared/ipc/types'
import { KeyBrowser } from '../browser/KeyBrowser'

type Tab = 'keys'

/** One collection: a header with its tabs ("Keys" now; the LSM "Levels" view joins it later) and the tab's content. */
// Memoized: the app re-renders on every engine stats push (up to 10/s while writing); the browser need not.
export const CollectionView = memo(function CollectionView({ name, summary }: { name: string; summary: CollectionSummary | null }) {
  const [tab, setTab] = useState<Tab>('keys')
  return (
    <section className="collection-view" aria-label={`Collection ${name}`}>
      <header className="collection-header">
        <h1 className="collection-title mono">{name}</h1>
        {summary && !summary.open && <span className="badge">closed</span>}
        <div className="tabs" role="tablist" aria-label="Views">
          <button type="button" role="tab" id="tab-keys" aria-selected={tab === 'keys'} aria-controls="panel-keys" className="tab" onClick={() => setTab('keys')}>
            Keys
          </button>
        </div>
      </header>
      <div className="tab-panel" role="tabpanel" id="panel-keys" aria-labelledby="tab-keys">
        {tab === 'keys' && <KeyBrowser collection={name} />}
      </div>
    </section>
  )
})
