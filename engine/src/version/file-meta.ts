/** What the manifest records about one SSTable: enough to route reads without opening it. */
export interface FileMeta {
  id: number;
  level: number;
  size: number;
  entries: number;
  tombstones: number;
  minKey: string;
  maxKey: string;
  minSequence: number;
  maxSequence: number;
}
