import type { ReactNode } from 'react';

export interface Tab<T extends string> {
  id: T;
  label: ReactNode;
  testId?: string;
}

/**
 * A row of tabs (ARIA tablist). With `panels`, each tab is `tab-<id>` and
 * controls the element `panel-<id>`, which the caller renders.
 */
export function Tabs<T extends string>({
  tabs,
  selected,
  onSelect,
  className,
  label,
  panels = false,
}: {
  tabs: readonly Tab<T>[];
  selected: T;
  onSelect(id: NoInfer<T>): void;
  className?: string;
  label?: string;
  panels?: boolean;
}) {
  return (
    <div className={`tabs${className ? ` ${className}` : ''}`} role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={panels ? `tab-${t.id}` : undefined}
          aria-controls={panels ? `panel-${t.id}` : undefined}
          aria-selected={selected === t.id}
          className="tab"
          onClick={() => onSelect(t.id)}
          data-testid={t.testId}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
