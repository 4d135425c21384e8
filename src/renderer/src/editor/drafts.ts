import { createContext, useContext } from 'react';

/**
 * Unsaved edits made in the value panel, kept per data folder, collection and
 * key for as long as the window lives. Without them, selecting another row,
 * switching to the Levels tab or opening another folder would throw an edit
 * away without a word; with them, going back to the key brings the edit back.
 */
export interface Draft {
  /** The stored value the edit started from, to tell whether it changed since. */
  readonly base: string;
  readonly value: string;
  readonly tab: 'text' | 'json';
}

export interface DraftAddress {
  readonly folder: string;
  readonly collection: string;
  readonly key: string;
}

/** NUL cannot occur in a folder path or a collection name, so the joined address is unambiguous. */
const id = ({ folder, collection, key }: DraftAddress) => `${folder}\u0000${collection}\u0000${key}`;

export class DraftStore {
  private readonly drafts = new Map<string, Draft>();
  private readonly listeners = new Set<() => void>();

  get(at: DraftAddress): Draft | undefined {
    return this.drafts.get(id(at));
  }

  set(at: DraftAddress, draft: Draft): void {
    const had = this.drafts.has(id(at));
    this.drafts.set(id(at), draft);
    if (!had) this.changed();
  }

  discard(at: DraftAddress): void {
    if (this.drafts.delete(id(at))) this.changed();
  }

  /** A dropped collection's drafts have nowhere to be saved. */
  discardCollection(folder: string, collection: string): void {
    const prefix = `${folder}\u0000${collection}\u0000`;
    let removed = false;
    for (const k of this.drafts.keys()) if (k.startsWith(prefix)) removed = this.drafts.delete(k) || removed;
    if (removed) this.changed();
  }

  get size(): number {
    return this.drafts.size;
  }

  /** Called when a draft appears or goes away (not on every keystroke). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * What the panel should show for a key it loads: the draft if there is one,
 * flagged when the stored value moved on since the edit began (someone else
 * saved it), so the user is told before they overwrite that change.
 */
export function resumeDraft(draft: Draft | undefined, current: string): { draft: Draft; stale: boolean } | null {
  if (draft === undefined) return null;
  return { draft, stale: draft.base !== current };
}

export const DraftsContext = createContext<DraftStore>(new DraftStore());

export const useDrafts = (): DraftStore => useContext(DraftsContext);
