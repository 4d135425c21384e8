import { useCallback, useState } from 'react';
import type { JobProgress } from '../../../shared/ipc/types';
import { useClient, useJobs } from '../app/context';
import { useNotify } from '../ui/Toasts';

/**
 * Follows one import or export job: the reply that started it, then its push
 * events (the app keeps the latest progress of every job by id, so an event
 * that arrives before the reply is not lost).
 */
export function useTransferJob(): {
  job: JobProgress | null;
  track(job: JobProgress): void;
  cancel(): Promise<void>;
  fail(message: string): void;
} {
  const client = useClient();
  const notify = useNotify();
  const jobs = useJobs();
  const [started, setStarted] = useState<JobProgress | null>(null);
  // A failure seen only on this side (an upload the server refused) ends the job locally.
  const [localFailure, setLocalFailure] = useState<string | null>(null);

  const pushed = started ? jobs.get(started.id) : undefined;
  // The newer of the two: the start reply can arrive after the first progress push.
  let job = pushed && (pushed.state !== 'running' || pushed.done >= (started?.done ?? 0)) ? pushed : started;
  if (job && localFailure && job.state === 'running') job = { ...job, state: 'failed', message: localFailure, finishedAt: Date.now() };

  const cancel = useCallback(async () => {
    if (!started) return;
    try {
      await client['jobs.cancel']({ id: started.id });
    } catch (err) {
      notify.error(err, 'cancel');
    }
  }, [client, notify, started]);

  return { job, track: setStarted, cancel, fail: setLocalFailure };
}
