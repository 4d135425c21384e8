import { createContext, useContext } from 'react';
import type { Client } from '../api/client';
import type { AppInfo, JobProgress } from '../../../shared/ipc/types';

export const ClientContext = createContext<Client | null>(null);

export function useClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside <ClientContext>');
  return client;
}

export const InfoContext = createContext<AppInfo | null>(null);

export function useInfo(): AppInfo {
  const info = useContext(InfoContext);
  if (!info) throw new Error('useInfo before app.info answered');
  return info;
}

/** Latest progress of every job this session has seen, by id, fed by 'job' push events. */
export const JobsContext = createContext<ReadonlyMap<string, JobProgress>>(new Map());

export const useJobs = (): ReadonlyMap<string, JobProgress> => useContext(JobsContext);
