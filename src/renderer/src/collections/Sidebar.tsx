import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import type { AppInfo, CollectionSummary } from '../../../shared/ipc/types';
import { useClient, useInfo } from '../app/context';
import { FolderDialog } from '../app/FolderDialog';
import { useDrafts } from '../editor/drafts';
import { formatBytes } from '../ui/format';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { EjectIcon, TrashIcon } from '../ui/icons';
import { useNotify } from '../ui/Toasts';
import { CreateDialog } from './CreateDialog';
import { RepairDialog } from './RepairDialog';
import { errorCode } from '../api/errors';
import { approxKeysOf, type Collections } from './useCollections';
import '../styles/sidebar.css';

interface Props {
  collections: Collections;
  selected: string | null;
  onSelect(name: string | null): void;
  onInfo(info: AppInfo): void;
}

const ITEM_HEIGHT = 46;

export function Sidebar({ collections, selected, onSelect, onInfo }: Props) {
  const client = useClient();
  const info = useInfo();
  const drafts = useDrafts();
  const notify = useNotify();
  const [creating, setCreating] = useState(false);
  const [dropping, setDropping] = useState<string | null>(null);
  const [choosingFolder, setChoosingFolder] = useState(false);
  const [opening, setOpening] = useState<string | null>(null);
  const [repairing, setRepairing] = useState<{ name: string; reason: string } | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const list = collections.list ?? [];

  // Thousands of collections must not make the sidebar slow: only visible entries are rendered.
  const virtualizer = useVirtualizer({
    count: list.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ITEM_HEIGHT,
    overscan: 8,
  });

  const open = async (name: string) => {
    setOpening(name);
    try {
      await client['collections.open']({ name });
      // The list must know the collection before it is selected: a new one's list
      // refresh can answer after the open, and App drops a selection the list lacks.
      if (!collections.list?.some((c) => c.name === name)) await collections.refresh();
      onSelect(name);
      void collections.primeStats(name);
    } catch (err) {
      // Damage that keeps a collection from opening has a way back: repair, offered right in the error.
      const repair =
        errorCode(err) === 'CORRUPTION'
          ? { label: 'Repair…', run: () => setRepairing({ name, reason: (err as Error).message }) }
          : undefined;
      notify.error(err, `open "${name}"`, repair);
    } finally {
      setOpening(null);
    }
  };

  const close = async (name: string) => {
    try {
      await client['collections.close']({ name });
      if (selected === name) onSelect(null);
    } catch (err) {
      notify.error(err, `close "${name}"`);
    }
  };

  const drop = async (name: string) => {
    try {
      await client['collections.drop']({ name, confirm: name });
      drafts.discardCollection(info.dataDir, name);
      setDropping(null);
      if (selected === name) onSelect(null);
      notify('success', `Dropped “${name}”`);
    } catch (err) {
      notify.error(err, `drop "${name}"`);
    }
  };

  const openFolder = async () => {
    if (!info.nativeDialogs) return setChoosingFolder(true);
    try {
      const next = await client['folder.choose']({});
      if (next) onInfo(next);
    } catch (err) {
      notify.error(err, 'open the folder');
    }
  };

  return (
    <nav className="sidebar" aria-label="Collections">
      <div className="sidebar-header">
        <span className="brand">Strata</span>
        <button type="button" className="button small" onClick={openFolder} title="Open another data folder">
          Open folder…
        </button>
      </div>
      <div className="sidebar-section">
        <span className="section-title">
          Collections <span className="muted">{collections.list ? list.length.toLocaleString('en-US') : ''}</span>
        </span>
        <button type="button" className="button small primary" onClick={() => setCreating(true)}>
          New
        </button>
      </div>
      <div className="collection-scroll" ref={scrollRef}>
        {collections.list !== null && list.length === 0 && <p className="sidebar-empty muted">No collections yet.</p>}
        <ul className="collection-list" role="list" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const c = list[item.index]!;
            return (
              <CollectionItem
                key={c.name}
                summary={c}
                liveKeys={collections.stats.get(c.name)}
                selected={c.name === selected}
                busy={opening === c.name}
                top={item.start}
                onOpen={() => open(c.name)}
                onClose={() => close(c.name)}
                onDrop={() => setDropping(c.name)}
              />
            );
          })}
        </ul>
      </div>
      {creating && (
        <CreateDialog
          onClose={() => setCreating(false)}
          onCreated={(name) => {
            setCreating(false);
            void open(name);
          }}
        />
      )}
      {dropping && (
        <ConfirmDialog
          title={`Drop collection “${dropping}”?`}
          confirmLabel="Drop collection"
          danger
          requireText={dropping}
          onConfirm={() => drop(dropping)}
          onCancel={() => setDropping(null)}
        >
          <p>This deletes the collection's folder and every key in it. It cannot be undone.</p>
        </ConfirmDialog>
      )}
      {choosingFolder && <FolderDialog onClose={() => setChoosingFolder(false)} onOpened={onInfo} />}
      {repairing && (
        <RepairDialog
          name={repairing.name}
          reason={repairing.reason}
          onClose={() => setRepairing(null)}
          onOpen={() => void open(repairing.name)}
        />
      )}
    </nav>
  );
}

interface ItemProps {
  summary: CollectionSummary;
  liveKeys: Parameters<typeof approxKeysOf>[0] | undefined;
  selected: boolean;
  busy: boolean;
  top: number;
  onOpen(): void;
  onClose(): void;
  onDrop(): void;
}

function CollectionItem({ summary, liveKeys, selected, busy, top, onOpen, onClose, onDrop }: ItemProps) {
  const keys = summary.open ? (liveKeys ? approxKeysOf(liveKeys) : summary.approxKeys) : null;
  const detail = [
    keys === null ? 'closed' : `~${keys.toLocaleString('en-US')} key${keys === 1 ? '' : 's'}`,
    formatBytes(summary.diskBytes),
    `${summary.files} file${summary.files === 1 ? '' : 's'}`,
  ].join(' · ');
  return (
    <li
      className={`collection-item${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ITEM_HEIGHT }}
      data-testid="collection-item"
      data-name={summary.name}
    >
      <button
        type="button"
        className="collection-open"
        onClick={onOpen}
        aria-current={selected ? 'true' : undefined}
        aria-busy={busy}
        title={summary.name}
        aria-label={summary.name}
        aria-description={detail}
      >
        <span className="collection-name mono">
          <span className={`open-dot${summary.open ? ' is-open' : ''}`} aria-hidden="true" />
          {summary.name}
        </span>
        <span className="collection-detail">{detail}</span>
      </button>
      <span className="collection-actions">
        {summary.open && (
          <button type="button" className="icon-button" onClick={onClose} aria-label={`Close ${summary.name}`} title="Close">
            <EjectIcon />
          </button>
        )}
        <button type="button" className="icon-button danger" onClick={onDrop} aria-label={`Drop ${summary.name}`} title="Drop…">
          <TrashIcon />
        </button>
      </span>
    </li>
  );
}
