import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobProgress } from '../../../shared/ipc/types';
import { useClient, useJobs } from '../app/context';
import { useNotify } from '../ui/Toasts';

export interface TransferJob {
  /** The latest known state of the job, once started. */
  job: JobProgress | null;
  /** Before the job starts, while it runs, and once it ended (done, cancelled or failed). */
  state: 'idle' | 'running' | 'finished';
  /** The ended job, once it ended. */
  finished: JobProgress | null;
  /** True from the user's Cancel until the job ends. */
  cancelling: boolean;
  track(job: JobProgress): void;
  cancel(): void;
  /** Ends the job here with `message`: a failure only this side sees (an upload the server refused). */
  fail(message: string): void;
}

/**
 * Follows one import or export job: the reply that started it, then its push
 * events (the app keeps the latest progress of every job by id, so an event
 * that arrives before the reply is not lost). `onFinished` runs once, when
 * the job ends; a failure or success also shows as a toast, as everywhere in
 * the app (the dialog's summary keeps the details).
 */
export function useTransferJob(noun: 'Import' | 'Export', onFinished?: (job: JobProgress) => void): TransferJob {
  const client = useClient();
  const notify = useNotify();
  const jobs = useJobs();
  const [started, setStarted] = useState<JobProgress | null>(null);
  const [localFailure, setLocalFailure] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);

  const pushed = started ? jobs.get(started.id) : undefined;
  // The newer of the two: the start reply can arrive after the first progress push.
  let job = pushed && (pushed.state !== 'running' || pushed.done >= (started?.done ?? 0)) ? pushed : started;
  if (job && localFailure && job.state === 'running') job = { ...job, state: 'failed', message: localFailure, finishedAt: Date.now() };
  const finished = job && job.state !== 'running' ? job : null;

  const reported = useRef(false);
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;
  useEffect(() => {
    if (!finished || reported.current) return;
    reported.current = true;
    onFinishedRef.current?.(finished);
    if (finished.state === 'failed') notify('error', `${noun} failed`, finished.message);
    if (finished.state === 'done') notify('success', `${noun} finished`, finished.message);
  }, [finished, noun, notify]);

  const cancel = useCallback(() => {
    if (!started) return;
    setCancelling(true);
    client['jobs.cancel']({ id: started.id }).catch((err: unknown) => notify.error(err, 'cancel'));
  }, [client, notify, started]);

  return {
    job,
    state: finished ? 'finished' : job ? 'running' : 'idle',
    finished,
    cancelling,
    track: setStarted,
    cancel,
    fail: setLocalFailure,
  };
}
