import { memo, useCallback, useState } from 'react';
import type { CollectionSummary, KeyFilter } from '../../../shared/ipc/types';
import { KeyBrowser } from '../browser/KeyBrowser';
import { LevelsView } from '../levels/LevelsView';
import { Tabs, type Tab } from '../ui/Tabs';

type View = 'keys' | 'levels';

const VIEWS: Tab<View>[] = [
  { id: 'keys', label: 'Keys' },
  { id: 'levels', label: 'Levels' },
];

/** One collection: a header with its tabs ("Keys" and the LSM "Levels" view) and the tab's content. */
// Memoized: the app re-renders on every engine stats push (up to 10/s while writing); the views need not.
export const CollectionView = memo(function CollectionView({ name, summary }: { name: string; summary: CollectionSummary | null }) {
  const [tab, setTab] = useState<View>('keys');
  // "Browse this range" in the Levels view: open the Keys tab on a filter (a new request remounts the browser on it).
  const [filterRequest, setFilterRequest] = useState<{ id: number; filter: KeyFilter } | null>(null);
  const browse = useCallback((filter: KeyFilter) => {
    setFilterRequest((prev) => ({ id: (prev?.id ?? 0) + 1, filter }));
    setTab('keys');
  }, []);
  return (
    <section className="collection-view" aria-label={`Collection ${name}`}>
      <header className="collection-header">
        <h1 className="collection-title mono">{name}</h1>
        {summary && !summary.open && <span className="badge">closed</span>}
        <Tabs tabs={VIEWS} selected={tab} onSelect={setTab} label="Views" panels />
      </header>
      <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'keys' && <KeyBrowser key={filterRequest?.id ?? 0} collection={name} initialFilter={filterRequest?.filter} />}
        {tab === 'levels' && <LevelsView collection={name} onBrowse={browse} />}
      </div>
    </section>
  );
});
