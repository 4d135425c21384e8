import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { describeError } from '../api/errors';
import { CloseIcon } from './icons';
import '../styles/toasts.css';

export type ToastKind = 'info' | 'success' | 'warning' | 'error';

/** A button in a toast that does something about it (e.g. "Repair…" on a corrupted collection); clicking it dismisses the toast. */
export interface ToastAction {
  label: string;
  run(): void;
}

interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  action?: ToastAction;
}

export interface Notify {
  (kind: ToastKind, title: string, message?: string, action?: ToastAction): void;
  /** An engine or connection error, as its headline and the engine's message. */
  error(err: unknown, doing?: string, action?: ToastAction): void;
}

const NotifyContext = createContext<Notify | null>(null);

export function useNotify(): Notify {
  const notify = useContext(NotifyContext);
  if (!notify) throw new Error('useNotify outside <ToastProvider>');
  return notify;
}

/** Errors stay long enough to be read; confirmations get out of the way. */
const LIFETIME: Record<ToastKind, number> = { info: 3500, success: 2500, warning: 12000, error: 12000 };
const MAX_VISIBLE = 4;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);

  const notify = useMemo(() => {
    const fn = ((kind: ToastKind, title: string, message?: string, action?: ToastAction) => {
      const id = nextId.current++;
      setToasts((ts) => [...ts, { id, kind, title, message, action }].slice(-MAX_VISIBLE));
    }) as Notify;
    fn.error = (err, doing, action) => {
      const { title, message } = describeError(err, doing);
      fn('error', title, message, action);
    };
    return fn;
  }, []);

  return (
    <NotifyContext.Provider value={notify}>
      {children}
      <div className="toasts" aria-label="Notifications">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
        ))}
      </div>
    </NotifyContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    // A toast that offers an action stays until it is used or dismissed.
    if (paused || toast.action) return;
    const timer = setTimeout(() => onDismiss(toast.id), LIFETIME[toast.kind]);
    return () => clearTimeout(timer);
  }, [paused, toast.id, toast.kind, toast.action, onDismiss]);
  return (
    <div
      className={`toast toast-${toast.kind}`}
      role={toast.kind === 'error' ? 'alert' : 'status'}
      data-testid="toast"
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
    >
      <div className="toast-body">
        <div className="toast-title">{toast.title}</div>
        {toast.message && <div className="toast-message">{toast.message}</div>}
        {toast.action && (
          <button
            type="button"
            className="button small toast-action"
            onClick={() => {
              onDismiss(toast.id);
              toast.action!.run();
            }}
          >
            {toast.action.label}
          </button>
        )}
      </div>
      <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => onDismiss(toast.id)}>
        <CloseIcon />
      </button>
    </div>
  );
}
