import { createColumnHelper, tableFeatures } from '@tanstack/react-table';
import type { KeyRow } from '../../../shared/ipc/types';
import { formatBytes } from '../ui/format';

// No client-side sorting, filtering or pagination: the engine's scan order is
// the order, and the filter runs in the engine. The table contributes columns,
// headers and cells over the rows the pager currently holds.
export const features = tableFeatures({});

const helper = createColumnHelper<typeof features, KeyRow>();

export const columns = helper.columns([
  helper.accessor('key', { header: 'Key', cell: (info) => info.getValue() }),
  helper.accessor('preview', { header: 'Value', cell: (info) => info.getValue() }),
  helper.accessor('valueBytes', { header: 'Size', cell: (info) => formatBytes(info.getValue()) }),
]);

export type ColumnId = 'key' | 'preview' | 'valueBytes';
