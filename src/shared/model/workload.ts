/** The key patterns of the Levels view's workload generator (main's workload.ts writes them). */
export const WORKLOAD_PATTERNS = ['sequential', 'random', 'overwrite', 'delete-heavy'] as const;
export type WorkloadPattern = (typeof WORKLOAD_PATTERNS)[number];
