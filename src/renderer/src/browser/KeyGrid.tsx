import { useTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { KeyRow } from '../../../shared/ipc/types';
import { columns, features, type ColumnId } from './columns';
import { edgeToLoad, type PageState, type Side } from './pages';
import { clickRow, cursorIndex, moveCursor, type Selection } from './selection';
import '../styles/grid.css';

export const ROW_HEIGHT = 28;
/** Fetch the next page while this many rows are still ahead, so scrolling never hits the edge. */
const PREFETCH_ROWS = 150;

export interface InlineEdit {
  key: string;
  draft: string;
  saving: boolean;
}

interface Props {
  gridRef: RefObject<HTMLDivElement | null>;
  pages: PageState;
  selection: Selection;
  edit: InlineEdit | null;
  onSelection(sel: Selection): void;
  onLoadEdge(side: Side): void;
  onHome(): void;
  onEnd(): void;
  onStartEdit(key: string): void;
  onEditDraft(draft: string): void;
  onCommitEdit(): void;
  onCancelEdit(): void;
  onDeleteSelection(): void;
  onCopySelection(): void;
  emptyText: string;
}

export function KeyGrid(props: Props) {
  const { pages, selection, edit } = props;
  const rows = pages.rows;
  const scrollRef = useRef<HTMLDivElement>(null);

  const table = useTable({ features, columns, data: rows, getRowId: (row) => row.key });
  const tableRows = table.getRowModel().rows;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;

  // Rows added or dropped above the view move everything below them; scroll by
  // the same amount so the rows under the user's eyes stay put. A scroll the
  // virtualizer is still settling (a keyboard move) aimed at the old index, so
  // it is cancelled first. (No getItemKey: the virtualizer would otherwise
  // re-anchor by key as well, unless a scroll is pending, which makes it
  // unpredictable which of the two applies.)
  // Until the virtualizer has seen a scroll we made (a shift, a jump), its
  // visible range describes the old position, and loading an edge from it
  // would fetch a page nobody looks at: edge loading waits for this row.
  const awaitingIndex = useRef<number | null>(null);
  const lastShift = useRef(pages.shift.seq);
  useLayoutEffect(() => {
    if (pages.shift.seq === lastShift.current) return;
    lastShift.current = pages.shift.seq;
    const el = scrollRef.current;
    if (!el) return;
    virtualizer.cancelScroll();
    el.scrollTop += pages.shift.rows * ROW_HEIGHT;
    awaitingIndex.current = Math.floor(el.scrollTop / ROW_HEIGHT);
  }, [pages.shift, virtualizer]);

  const lastTarget = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (!pages.target) awaitingIndex.current = null;
    if (!pages.target || pages.target.seq === lastTarget.current) return;
    lastTarget.current = pages.target.seq;
    awaitingIndex.current = pages.target.index;
    virtualizer.scrollToIndex(pages.target.index, { align: pages.target.select ? 'center' : 'start' });
  }, [pages.target, virtualizer]);

  useEffect(() => {
    if (awaitingIndex.current !== null) {
      if (awaitingIndex.current < first || awaitingIndex.current > last) return;
      awaitingIndex.current = null;
    }
    const side = edgeToLoad(pages, first, last, PREFETCH_ROWS);
    if (side) props.onLoadEdge(side);
  });

  const moveTo = (index: number, extend: boolean) => {
    const next = moveCursor(selection, rows, index, extend);
    props.onSelection(next);
    virtualizer.scrollToIndex(Math.max(0, Math.min(rows.length - 1, index)), { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (edit) return;
    const at = cursorIndex(selection, rows);
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        moveTo(at < 0 ? first : at + 1, e.shiftKey);
        break;
      case 'ArrowUp':
        moveTo(at < 0 ? first : at - 1, e.shiftKey);
        break;
      case 'PageDown':
        moveTo(at < 0 ? first : at + pageRows, e.shiftKey);
        break;
      case 'PageUp':
        moveTo(at < 0 ? first : at - pageRows, e.shiftKey);
        break;
      case 'Home':
        if (pages.startDone) moveTo(0, e.shiftKey);
        else props.onHome();
        break;
      case 'End':
        if (pages.endDone) moveTo(rows.length - 1, e.shiftKey);
        else props.onEnd();
        break;
      case 'Enter':
        if (selection.cursor !== null) props.onStartEdit(selection.cursor);
        break;
      case 'Delete':
      case 'Backspace':
        if (selection.keys.size > 0) props.onDeleteSelection();
        break;
      case 'a':
        if (mod) props.onSelection({ keys: new Set(rows.map((r) => r.key)), anchor: rows[0]?.key ?? null, cursor: selection.cursor });
        else handled = false;
        break;
      case 'c':
        if (mod && !e.shiftKey && window.getSelection()?.isCollapsed !== false) props.onCopySelection();
        else handled = false;
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  const onRowClick = (index: number, e: MouseEvent) => {
    props.onSelection(clickRow(selection, rows, index, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey }));
  };

  const headers = table.getHeaderGroups()[0]!.headers;
  return (
    <div
      className="grid"
      role="grid"
      aria-label="Keys"
      aria-multiselectable="true"
      aria-rowcount={pages.startDone && pages.endDone ? rows.length + 1 : -1}
      aria-busy={pages.loading !== null}
      tabIndex={0}
      ref={props.gridRef}
      onKeyDown={onKeyDown}
      data-testid="key-grid"
    >
      <div className="grid-header" role="row" aria-rowindex={1}>
        {headers.map((header) => (
          <div key={header.id} role="columnheader" className={`cell cell-${header.column.id as ColumnId}`}>
            <table.FlexRender header={header} />
          </div>
        ))}
      </div>
      <div className="grid-scroll" ref={scrollRef}>
        <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = tableRows[item.index];
            if (!row) return null;
            const key = row.original.key;
            return (
              <GridRow
                key={key}
                row={row.original}
                cells={row.getAllCells()}
                top={item.start}
                index={item.index}
                selected={selection.keys.has(key)}
                cursor={selection.cursor === key}
                edit={edit?.key === key ? edit : null}
                onClick={onRowClick}
                onDoubleClick={props.onStartEdit}
                onEditDraft={props.onEditDraft}
                onCommitEdit={props.onCommitEdit}
                onCancelEdit={props.onCancelEdit}
                FlexRender={table.FlexRender}
              />
            );
          })}
        </div>
        <GridFooter pages={pages} emptyText={props.emptyText} />
      </div>
    </div>
  );
}

type Cells = ReturnType<ReturnType<ReturnType<typeof useTable<typeof features, KeyRow>>['getRowModel']>['rows'][number]['getAllCells']>;

interface RowProps {
  row: KeyRow;
  cells: Cells;
  top: number;
  index: number;
  selected: boolean;
  cursor: boolean;
  edit: InlineEdit | null;
  onClick(index: number, e: MouseEvent): void;
  onDoubleClick(key: string): void;
  onEditDraft(draft: string): void;
  onCommitEdit(): void;
  onCancelEdit(): void;
  FlexRender: ReturnType<typeof useTable<typeof features, KeyRow>>['FlexRender'];
}

// Rows re-render only when their own data, position or selection changes, not on every scroll tick.
const GridRow = memo(function GridRow({
  row,
  cells,
  top,
  index,
  selected,
  cursor,
  edit,
  onClick,
  onDoubleClick,
  onEditDraft,
  onCommitEdit,
  onCancelEdit,
  FlexRender,
}: RowProps) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`grid-row${selected ? ' selected' : ''}${cursor ? ' cursor' : ''}${index % 2 ? ' odd' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onMouseDown={(e) => {
        // Keep shift-click from selecting text across rows.
        if (e.shiftKey) e.preventDefault();
      }}
      onClick={(e) => onClick(index, e)}
      onDoubleClick={() => onDoubleClick(row.key)}
      data-key={row.key}
    >
      {cells.map((cell) => {
        const id = cell.column.id as ColumnId;
        if (id === 'preview' && edit) {
          return (
            <div key={cell.id} role="gridcell" className="cell cell-preview editing">
              <input
                className="cell-input mono"
                aria-label={`Value of ${row.key}`}
                value={edit.draft}
                disabled={edit.saving}
                autoFocus
                onFocus={(e) => e.currentTarget.select()}
                onChange={(e) => onEditDraft(e.target.value)}
                onClick={(e) => e.stopPropagation()}
                onDoubleClick={(e) => e.stopPropagation()}
                onKeyDown={(e) => {
                  e.stopPropagation();
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    onCommitEdit();
                  } else if (e.key === 'Escape') {
                    e.preventDefault();
                    onCancelEdit();
                  }
                }}
              />
            </div>
          );
        }
        return (
          <div key={cell.id} role="gridcell" className={`cell cell-${id}`} title={id === 'key' ? row.key : undefined}>
            <FlexRender cell={cell} />
          </div>
        );
      })}
    </div>
  );
});

function GridFooter({ pages, emptyText }: { pages: PageState; emptyText: string }) {
  let text: string | null = null;
  if (pages.error) text = `Could not load keys: ${pages.error}`;
  else if (pages.loading === 'reset') text = 'Loading…';
  else if (pages.rows.length === 0 && pages.startDone && pages.endDone) text = emptyText;
  else if (pages.loading === 'end') text = 'Loading more…';
  if (text === null) return null;
  return (
    <div className="grid-footer muted" role="status">
      {text}
    </div>
  );
}
