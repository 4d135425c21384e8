import { useCallback, useEffect, useRef, useState } from 'react';
import { LIMITS } from '../../../shared/ipc/limits';
import type { JobProgress, KeyCount, KeyFilter, KeyRow } from '../../../shared/ipc/types';
import { useClient, useJobs } from '../app/context';
import { ValuePanel } from '../editor/ValuePanel';
import { utf8Length } from '../editor/hex';
import { copyText } from '../ui/clipboard';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { plural } from '../ui/format';
import { useNotify } from '../ui/Toasts';
import { AddKeyDialog } from './AddKeyDialog';
import { deleteChunks } from './delete-chunks';
import { describeFilter } from './describe-filter';
import { FilterBar } from './FilterBar';
import { JobBanner } from './JobBanner';
import { KeyGrid, type InlineEdit } from './KeyGrid';
import { emptySelection, selectOnly, withoutKeys, type Selection } from './selection';
import { useKeyPages } from './useKeyPages';
import { TransferButtons } from '../transfer/TransferButtons';
import '../styles/browser.css';

/** Longer or multi-line values are edited in the side panel, where they fit. */
const INLINE_EDIT_MAX_CHARS = 10_000;

type Confirm = { kind: 'selected'; keys: string[] } | { kind: 'matching'; count: KeyCount; filter: KeyFilter };

export function KeyBrowser({ collection, initialFilter }: { collection: string; initialFilter?: KeyFilter }) {
  const client = useClient();
  const notify = useNotify();
  const jobs = useJobs();
  const [filter, setFilterState] = useState<KeyFilter>(initialFilter ?? {});
  const [reverse, setReverse] = useState(false);
  const pages = useKeyPages(client, collection, filter, reverse);
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [edit, setEdit] = useState<InlineEdit | null>(null);
  const [revision, setRevision] = useState(0);
  const [adding, setAdding] = useState(false);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<JobProgress | null>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const rows = pages.state.rows;

  const setFilter = useCallback((next: KeyFilter) => {
    setFilterState((prev) => (JSON.stringify(prev) === JSON.stringify(next) ? prev : next));
  }, []);

  useEffect(() => {
    setSelection(emptySelection);
    setEdit(null);
  }, [filter, reverse]);

  // A jump, Home or End lands on a row: select it so the panel shows it and the keyboard continues from it.
  const target = pages.state.target;
  useEffect(() => {
    if (!target?.select) return;
    const row = rows[target.index];
    if (row) setSelection(selectOnly(row.key));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new target moves the selection, not later page loads
  }, [target]);

  const focusGrid = () => gridRef.current?.focus();

  // --- inline edit --------------------------------------------------------

  const startEdit = async (key: string) => {
    setSelection(selectOnly(key));
    try {
      const view = await client['keys.get']({ collection, key });
      if (view === null) {
        pages.removed(new Set([key]));
        return notify('info', 'Key no longer exists', key);
      }
      if (view.truncated || view.value.length > INLINE_EDIT_MAX_CHARS || /[\r\n]/.test(view.value)) {
        return notify('info', 'Edit this value in the panel', 'It is multi-line or too long to edit in one line.');
      }
      setEdit({ key, draft: view.value, saving: false });
    } catch (err) {
      notify.error(err, 'read the value');
    }
  };

  const commitEdit = async () => {
    if (!edit || edit.saving) return;
    setEdit({ ...edit, saving: true });
    try {
      await client['keys.put']({ collection, key: edit.key, value: edit.draft });
      pages.updated({ key: edit.key, preview: edit.draft.slice(0, LIMITS.previewChars), valueBytes: utf8Length(edit.draft) });
      setEdit(null);
      setRevision((r) => r + 1);
      notify('success', 'Value saved', edit.key);
      focusGrid();
    } catch (err) {
      setEdit({ ...edit, saving: false });
      notify.error(err, 'save the value');
    }
  };

  const cancelEdit = () => {
    setEdit(null);
    focusGrid();
  };

  // --- deletes ------------------------------------------------------------

  const askDeleteSelected = () => {
    if (selection.keys.size > 0) setConfirm({ kind: 'selected', keys: [...selection.keys] });
  };

  const askDeleteMatching = async () => {
    setBusy(true);
    try {
      // Counting first (bounded) is what lets the confirmation say how many; it happens once, on request, never per filter change.
      const count = await client['keys.count']({ collection, filter, max: LIMITS.maxCount });
      setConfirm({ kind: 'matching', count, filter });
    } catch (err) {
      notify.error(err, 'count the matching keys');
    } finally {
      setBusy(false);
    }
  };

  const deleteSelected = async (keys: string[]) => {
    setBusy(true);
    try {
      let deleted = 0;
      for (const chunk of deleteChunks(keys)) deleted += (await client['keys.delete']({ collection, keys: chunk })).deleted;
      const gone = new Set(keys);
      pages.removed(gone);
      setSelection((s) => withoutKeys(s, gone));
      setConfirm(null);
      notify('success', `Deleted ${plural(deleted, 'key')}`);
      focusGrid();
    } catch (err) {
      notify.error(err, 'delete the keys');
    } finally {
      setBusy(false);
    }
  };

  const deleteMatching = async (count: KeyCount, f: KeyFilter) => {
    setBusy(true);
    try {
      setJob(await client['jobs.deleteMatching']({ collection, filter: f, expected: count.count }));
      setConfirm(null);
    } catch (err) {
      notify.error(err, 'start deleting');
    } finally {
      setBusy(false);
    }
  };

  const current = job ? (jobs.get(job.id) ?? job) : null;
  const finished = current && current.state !== 'running' ? current : null;
  useEffect(() => {
    if (!finished) return;
    setJob(null);
    notify(
      finished.state === 'failed' ? 'error' : finished.state === 'cancelled' ? 'info' : 'success',
      finished.state === 'done' ? 'Delete finished' : `Delete ${finished.state}`,
      finished.message,
    );
    setSelection(emptySelection);
    void pages.reset({ to: 'start' });
  }, [finished, notify, pages]);

  const cancelJob = async () => {
    if (!current) return;
    try {
      await client['jobs.cancel']({ id: current.id });
    } catch (err) {
      notify.error(err, 'cancel');
    }
  };

  const copySelection = async () => {
    const keys = rows.filter((r) => selection.keys.has(r.key)).map((r) => r.key);
    if (keys.length === 0) return;
    try {
      await copyText(keys.join('\n'));
      notify('info', keys.length === 1 ? 'Key copied' : `${plural(keys.length, 'key')} copied`);
    } catch (err) {
      notify.error(err, 'copy');
    }
  };

  const onSaved = useCallback((row: KeyRow) => pages.updated(row), [pages]);
  const filtered = Object.keys(filter).length > 0;
  const panelKey = selection.cursor !== null && selection.keys.has(selection.cursor) ? selection.cursor : null;

  return (
    <div className="key-browser">
      <FilterBar
        initial={initialFilter}
        onFilter={setFilter}
        reverse={reverse}
        onReverse={setReverse}
        onJump={(key) => void pages.reset({ to: 'key', key })}
      />
      <div className="toolbar actions-bar">
        <button type="button" className="button" onClick={() => setAdding(true)}>
          Add key
        </button>
        <button type="button" className="button" onClick={askDeleteSelected} disabled={selection.keys.size === 0 || busy}>
          Delete selected{selection.keys.size > 0 ? ` (${selection.keys.size.toLocaleString('en-US')})` : ''}
        </button>
        <button type="button" className="button" onClick={askDeleteMatching} disabled={busy || current !== null}>
          {filtered ? 'Delete all matching…' : 'Delete all…'}
        </button>
        <TransferButtons collection={collection} filter={filter} onImported={() => void pages.reset({ to: 'start' })} />
        <span className="toolbar-spacer" />
        <span className="muted small" data-testid="loaded-count">
          {rows.length.toLocaleString('en-US')} loaded{pages.state.startDone && pages.state.endDone ? ' (all)' : ''}
          {selection.keys.size > 0 ? ` · ${selection.keys.size.toLocaleString('en-US')} selected` : ''}
        </span>
      </div>
      {current && current.state === 'running' && <JobBanner job={current} onCancel={cancelJob} />}
      <div className="browser-split">
        <KeyGrid
          gridRef={gridRef}
          pages={pages.state}
          selection={selection}
          edit={edit}
          onSelection={setSelection}
          onLoadEdge={pages.loadEdge}
          onHome={() => void pages.reset({ to: 'start', land: true })}
          onEnd={() => void pages.reset({ to: 'end' })}
          onStartEdit={startEdit}
          onEditDraft={(draft) => setEdit((e) => (e ? { ...e, draft } : e))}
          onCommitEdit={commitEdit}
          onCancelEdit={cancelEdit}
          onDeleteSelection={askDeleteSelected}
          onCopySelection={copySelection}
          emptyText={filtered ? 'No keys match this filter.' : 'This collection is empty. Add a key to start.'}
        />
        <ValuePanel collection={collection} keyName={panelKey} revision={revision} onSaved={onSaved} />
      </div>
      {adding && (
        <AddKeyDialog
          collection={collection}
          initialKey={filter.prefix ?? ''}
          onClose={() => setAdding(false)}
          onAdded={(key) => {
            setAdding(false);
            void pages.reset({ to: 'key', key });
          }}
        />
      )}
      {confirm?.kind === 'selected' && (
        <ConfirmDialog
          title={`Delete ${plural(confirm.keys.length, 'key')}?`}
          confirmLabel="Delete"
          danger
          busy={busy}
          onConfirm={() => deleteSelected(confirm.keys)}
          onCancel={() => setConfirm(null)}
        >
          <p>
            {confirm.keys.length === 1 ? (
              <>
                Delete <code>{confirm.keys[0]}</code>?
              </>
            ) : (
              <>
                Delete the {plural(confirm.keys.length, 'selected key')}, from <code>{confirm.keys[0]}</code>?
              </>
            )}{' '}
            This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {confirm?.kind === 'matching' && (
        <ConfirmDialog
          title={`Delete ${confirm.count.complete ? '' : 'at least '}${plural(confirm.count.count, 'key')}?`}
          confirmLabel={confirm.count.count === 0 ? 'Nothing to delete' : `Delete ${plural(confirm.count.count, 'key')}`}
          danger
          busy={busy || confirm.count.count === 0}
          onConfirm={() => deleteMatching(confirm.count, confirm.filter)}
          onCancel={() => setConfirm(null)}
        >
          <p data-testid="delete-matching-text">
            {confirm.count.complete ? '' : 'At least '}
            {plural(confirm.count.count, 'key')} in <code>{collection}</code> match {describeFilter(confirm.filter)}. They are deleted in
            batches; you can cancel part-way, and what was deleted stays deleted.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
