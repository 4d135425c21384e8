import type { PushEvent } from '../../shared/ipc/types';
import { MAX_PENDING_ENGINE_EVENTS } from './limits';

/**
 * Pushes waiting for a socket that reads slower than they come, coalesced so
 * the queue holds at most one push per subject however long the client
 * lags: one per collection's engine events (the events appended, the newest
 * are kept, and the newest stats), one per job (its latest progress, which
 * holds all earlier progress), and one each for "collections changed" and
 * "folder changed". Subjects keep the order in which they first waited.
 */
export class PushQueue {
  private readonly waiting = new Map<string, PushEvent>();
  /** Engine events dropped since the queue was last drained (the oldest go first). */
  droppedEngineEvents = 0;

  get size(): number {
    return this.waiting.size;
  }

  add(event: PushEvent): void {
    const subject = subjectOf(event);
    const earlier = this.waiting.get(subject);
    if (earlier?.kind === 'engine' && event.kind === 'engine') {
      const events = earlier.events.concat(event.events);
      const drop = Math.max(0, events.length - MAX_PENDING_ENGINE_EVENTS);
      this.droppedEngineEvents += drop;
      this.waiting.set(subject, { ...event, events: drop > 0 ? events.slice(drop) : events });
      return;
    }
    if (event.kind === 'engine' && event.events.length > MAX_PENDING_ENGINE_EVENTS) {
      this.droppedEngineEvents += event.events.length - MAX_PENDING_ENGINE_EVENTS;
      event = { ...event, events: event.events.slice(-MAX_PENDING_ENGINE_EVENTS) };
    }
    // A subject that waits again keeps its first place: its newer content replaces the older one there.
    this.waiting.set(subject, event);
  }

  /** Removes and returns the oldest waiting push. */
  shift(): PushEvent | undefined {
    const first = this.waiting.entries().next();
    if (first.done) return undefined;
    this.waiting.delete(first.value[0]);
    return first.value[1];
  }
}

function subjectOf(event: PushEvent): string {
  switch (event.kind) {
    case 'engine':
      return `engine:${event.collection}`;
    case 'job':
      return `job:${event.job.id}`;
    default:
      return event.kind;
  }
}
