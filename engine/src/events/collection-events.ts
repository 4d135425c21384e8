import type {
  BackgroundErrorEvent,
  BackgroundWarningEvent,
  CompactionEndEvent,
  CompactionErrorEvent,
  CompactionProgressEvent,
  CompactionStartEvent,
  FlushEvent,
  FlushStartEvent,
  WriteStallEvent,
} from './events.js';
import type { LevelStats } from './stats.js';

/** The levels after a flush or compaction changed them (sent only while someone listens). */
export interface VersionEvent {
  levels: LevelStats[];
}

/** Each event a collection emits, with its payload: what Collection.on takes. */
export interface CollectionEvents {
  'flush-start': FlushStartEvent;
  /** The same payload as flush-end, under its older name. */
  flush: FlushEvent;
  'flush-end': FlushEvent;
  'compaction-start': CompactionStartEvent;
  'compaction-progress': CompactionProgressEvent;
  'compaction-end': CompactionEndEvent;
  'compaction-error': CompactionErrorEvent;
  'write-stall': WriteStallEvent;
  version: VersionEvent;
  'background-error': BackgroundErrorEvent;
  'background-warning': BackgroundWarningEvent;
}

export type CollectionEventName = keyof CollectionEvents;

/** Emits one of a collection's events: how the parts of the engine that produce them are handed the collection's emitter. */
export type EmitEvent = <E extends CollectionEventName>(event: E, payload: CollectionEvents[E]) => void;
