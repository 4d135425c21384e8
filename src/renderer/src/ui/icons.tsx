// Inline SVG icons: emoji glyphs depend on installed fonts and render as boxes on bare Linux machines.
const common = {
  width: 14,
  height: 14,
  viewBox: '0 0 16 16',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.5,
  strokeLinecap: 'round',
  strokeLinejoin: 'round',
  'aria-hidden': true,
} as const;

export const TrashIcon = () => (
  <svg {...common}>
    <path d="M2.5 4.5h11M6 4.5V3h4v1.5M4 4.5l.7 8.6a1 1 0 0 0 1 .9h4.6a1 1 0 0 0 1-.9l.7-8.6M6.8 7v4.5M9.2 7v4.5" />
  </svg>
);

export const CloseIcon = () => (
  <svg {...common}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </svg>
);

export const EjectIcon = () => (
  <svg {...common}>
    <path d="M3.5 9.5L8 4l4.5 5.5zM3.5 12.5h9" />
  </svg>
);
