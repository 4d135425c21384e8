import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { KeyRow, ValueView } from '../../../shared/ipc/types';
import { LIMITS } from '../../../shared/ipc/limits';
import { useClient, useInfo } from '../app/context';
import { copyText } from '../ui/clipboard';
import { Tabs, type Tab as TabOf } from '../ui/Tabs';
import { useNotify } from '../ui/Toasts';
import { resumeDraft, useDrafts, type DraftAddress } from './drafts';
import { formatBytes, formatCount } from '../ui/format';
import { hexLines, utf8Bytes, utf8Length } from './hex';
import { checkJson, looksLikeJson, prettyJson } from './json';
import '../styles/panel.css';

type Tab = 'text' | 'json' | 'hex';

const FORMAT_TABS: TabOf<Tab>[] = [
  { id: 'text', label: 'Text' },
  { id: 'json', label: 'JSON' },
  { id: 'hex', label: 'Hex' },
];

/** What a tab's editor holds for a stored value before any edit: JSON pretty-printed when it parses. */
const shownAs = (tab: Tab, value: string) => (tab === 'json' ? (prettyJson(value) ?? value) : value);

/** The hex view is for looking at bytes, not for paging through megabytes of them. */
const HEX_LIMIT = 64 * 1024;

interface Props {
  collection: string;
  keyName: string | null;
  /** Bumped when the value was changed elsewhere (inline edit), to reload it. */
  revision: number;
  onSaved(row: KeyRow): void;
}

export function ValuePanel({ collection, keyName, revision, onSaved }: Props) {
  const client = useClient();
  const notify = useNotify();
  const drafts = useDrafts();
  const folder = useInfo().dataDir;
  const [view, setView] = useState<ValueView | null>(null);
  const [missing, setMissing] = useState(false);
  const [loading, setLoading] = useState(false);
  const [tab, setTab] = useState<Tab>('text');
  const [text, setText] = useState('');
  const [json, setJson] = useState('');
  const [saving, setSaving] = useState(false);
  const [insist, setInsist] = useState(false);
  /** The resumed draft began from a value that has since been changed elsewhere. */
  const [stale, setStale] = useState(false);

  const addressOf = useCallback((key: string): DraftAddress => ({ folder, collection, key }), [folder, collection]);

  // A key's unsaved draft, if it has one, is shown in place of its stored
  // value; a truncated view cannot hold an edit, so its draft waits for "Load full value".
  const show = useCallback(
    (v: ValueView | null, keepTab: boolean) => {
      setView(v);
      setMissing(v === null);
      setText(v?.value ?? '');
      setJson(v ? shownAs('json', v.value) : '');
      setInsist(false);
      if (!keepTab) setTab(v && !v.truncated && looksLikeJson(v.value) ? 'json' : 'text');
      const resumed = v && !v.truncated ? resumeDraft(drafts.get(addressOf(v.key)), v.value) : null;
      setStale(resumed?.stale ?? false);
      if (!resumed) return;
      if (resumed.draft.tab === 'json') setJson(resumed.draft.value);
      else setText(resumed.draft.value);
      setTab(resumed.draft.tab);
    },
    [drafts, addressOf],
  );

  // Leaving a key with an unsaved edit keeps the edit; say so, so it is not mistaken for saved.
  useEffect(() => {
    if (keyName === null) return;
    return () => {
      if (drafts.get(addressOf(keyName))) notify('info', 'Unsaved edit kept', `${keyName}: select it again to save or revert it.`);
    };
  }, [keyName, drafts, addressOf, notify]);

  useEffect(() => {
    if (keyName === null) {
      setView(null);
      setMissing(false);
      return;
    }
    let current = true;
    setLoading(true);
    client['keys.get']({ collection, key: keyName })
      .then((v) => {
        if (!current) return;
        // A deleted key's draft has nothing left to edit.
        if (v === null) drafts.discard(addressOf(keyName));
        show(v, revision > 0 && view?.key === keyName);
      })
      .catch((err) => current && notify.error(err, 'read the value'))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `view` is read only to keep the tab when the same key reloads
  }, [client, collection, keyName, revision, show, notify, drafts, addressOf]);

  const loadFull = async () => {
    if (!keyName) return;
    setLoading(true);
    try {
      show(await client['keys.get']({ collection, key: keyName, full: true }), true);
    } catch (err) {
      notify.error(err, 'load the full value');
    } finally {
      setLoading(false);
    }
  };

  const deferredJson = useDeferredValue(json);
  const jsonCheck = useMemo(() => (tab === 'json' ? checkJson(deferredJson) : null), [tab, deferredJson]);
  const hex = useMemo(() => (tab === 'hex' && view ? hexLines(utf8Bytes(view.value.slice(0, HEX_LIMIT)), HEX_LIMIT) : []), [tab, view]);

  if (keyName === null) {
    return (
      <aside className="value-panel empty" aria-label="Value">
        <p className="muted">Select a key to see its value.</p>
      </aside>
    );
  }

  const original = view?.value ?? '';
  const draft = tab === 'json' ? json : text;
  const dirty = draft !== shownAs(tab, original);
  const readOnly = view === null || view.truncated || tab === 'hex';
  const jsonInvalid = tab === 'json' && jsonCheck !== null && !jsonCheck.ok;

  const save = async () => {
    if (!view || readOnly || saving) return;
    if (jsonInvalid && !insist) {
      setInsist(true);
      return;
    }
    setSaving(true);
    try {
      await client['keys.put']({ collection, key: view.key, value: draft });
      drafts.discard(addressOf(view.key));
      const saved = { ...view, value: draft, valueBytes: utf8Length(draft), truncated: false };
      show(saved, true);
      onSaved({ key: view.key, preview: draft.slice(0, LIMITS.previewChars), valueBytes: saved.valueBytes });
      notify('success', 'Value saved', view.key);
    } catch (err) {
      notify.error(err, 'save the value');
    } finally {
      setSaving(false);
    }
  };

  const revert = () => {
    if (view) drafts.discard(addressOf(view.key));
    show(view, true);
  };

  const copy = async (what: 'key' | 'value') => {
    try {
      await copyText(what === 'key' ? keyName : original);
      notify('info', what === 'key' ? 'Key copied' : 'Value copied');
    } catch (err) {
      notify.error(err, `copy the ${what}`);
    }
  };

  return (
    <aside className="value-panel" aria-label="Value" data-testid="value-panel" aria-busy={loading}>
      <div className="panel-head">
        <div className="panel-key mono" title={keyName}>
          {keyName}
        </div>
        <div className="panel-meta muted">{view ? formatBytes(view.valueBytes) : missing ? 'deleted' : '…'}</div>
        <div className="panel-actions">
          <button type="button" className="button small" onClick={() => copy('key')}>
            Copy key
          </button>
          <button type="button" className="button small" onClick={() => copy('value')} disabled={!view}>
            Copy value
          </button>
        </div>
      </div>
      <Tabs tabs={FORMAT_TABS} selected={tab} onSelect={setTab} className="panel-tabs" label="Value format" />
      {missing && <p className="panel-note">This key no longer exists.</p>}
      {stale && dirty && (
        <p className="panel-note warn" role="status" data-testid="stale-draft">
          This value was changed elsewhere since you began editing it. Saving replaces that change; Revert shows the stored value.
        </p>
      )}
      {view?.truncated && (
        <div className="panel-note warn" role="status">
          Showing the first {formatCount(LIMITS.fullValueChars)} characters of a {formatBytes(view.valueBytes)} value. Editing needs the
          whole value.
          <button type="button" className="button small" onClick={loadFull} disabled={loading}>
            Load full value
          </button>
        </div>
      )}
      <div className="panel-body" role="tabpanel">
        {tab === 'hex' ? (
          <pre className="hex mono" aria-label="Hex dump" data-testid="hex-view">
            {hex.map((l) => `${l.offset}  ${l.hex.padEnd(49)}  ${l.ascii}`).join('\n')}
            {view && utf8Length(view.value) > HEX_LIMIT ? `\n… first ${formatBytes(HEX_LIMIT)} shown` : ''}
          </pre>
        ) : (
          <textarea
            className="value-editor mono"
            aria-label={tab === 'json' ? 'JSON value' : 'Text value'}
            value={draft}
            readOnly={readOnly}
            spellCheck={false}
            onChange={(e) => {
              const next = e.target.value;
              setInsist(false);
              if (tab === 'json') setJson(next);
              else setText(next);
              if (!view) return;
              if (next === shownAs(tab, view.value)) drafts.discard(addressOf(view.key));
              else drafts.set(addressOf(view.key), { base: view.value, value: next, tab });
            }}
            onKeyDown={(e) => {
              if (e.key === 's' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void save();
              }
            }}
          />
        )}
      </div>
      {tab === 'json' && jsonCheck && (
        <div
          className={`json-status${jsonCheck.ok ? ' ok' : ' error'}`}
          role={jsonCheck.ok ? undefined : 'alert'}
          data-testid="json-status"
        >
          {jsonCheck.ok
            ? 'Valid JSON'
            : `Invalid JSON${jsonCheck.problem.line !== null ? ` at line ${jsonCheck.problem.line}, column ${jsonCheck.problem.column}` : ''}: ${jsonCheck.problem.message}`}
        </div>
      )}
      {tab !== 'hex' && (
        <div className="panel-foot">
          <span className="muted">{dirty ? 'Unsaved changes · Ctrl+S saves' : ''}</span>
          <button type="button" className="button" onClick={revert} disabled={!dirty || saving}>
            Revert
          </button>
          <button
            type="button"
            className={`button ${jsonInvalid && insist ? 'danger' : 'primary'}`}
            onClick={save}
            disabled={readOnly || !dirty || saving}
          >
            {jsonInvalid ? (insist ? 'Save invalid JSON anyway' : 'Save…') : 'Save'}
          </button>
        </div>
      )}
    </aside>
  );
}
