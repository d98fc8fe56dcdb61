// Plain SVG bar charts (no chart library: a few rectangles keep the bundle small). Each bar can
// be clicked through to the ledger rows behind it.

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** Shown instead of the value (e.g. a percentage). */
  text?: string;
  tone?: 'normal' | 'warn' | 'good';
  onClick?: () => void;
}

const ROW = 28;
const LABEL_W = 96;
const VALUE_W = 56;

/** Horizontal bars, one row each, scaled to the largest value (or `max`). */
export function HBars({ bars, max, testId }: { bars: Bar[]; max?: number; testId?: string }) {
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  const width = 600;
  const inner = width - LABEL_W - VALUE_W;
  return (
    <svg
      className="chart"
      data-testid={testId}
      viewBox={`0 0 ${width} ${Math.max(ROW, bars.length * ROW)}`}
      role="img"
      preserveAspectRatio="xMinYMin meet"
    >
      {bars.map((b, i) => {
        const w = Math.max(b.value > 0 ? 2 : 0, (b.value / top) * inner);
        return (
          <g
            key={b.key}
            className={b.onClick ? 'bar clickable' : 'bar'}
            transform={`translate(0, ${i * ROW})`}
            onClick={b.onClick}
            role={b.onClick ? 'button' : undefined}
            aria-label={`${b.label} ${b.text ?? b.value}`}
          >
            <title>{`${b.label}：${b.text ?? b.value}`}</title>
            <text x={LABEL_W - 8} y={ROW / 2 + 5} textAnchor="end" className="bar-label">
              {b.label.length > 7 ? `${b.label.slice(0, 7)}…` : b.label}
            </text>
            <rect x={LABEL_W} y={5} width={inner} height={ROW - 10} className="bar-track" rx={3} />
            <rect x={LABEL_W} y={5} width={w} height={ROW - 10} className={`bar-fill ${b.tone ?? 'normal'}`} rx={3} />
            <text x={LABEL_W + inner + 6} y={ROW / 2 + 5} className="bar-value">
              {b.text ?? b.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** Vertical bars over time (one per day), with the first and last day written under them. */
export function Columns({ bars, testId }: { bars: Bar[]; testId?: string }) {
  const width = 600;
  const height = 120;
  const top = Math.max(1, ...bars.map((b) => b.value));
  // At most 40 units per day, so a few days do not make slabs.
  const step = Math.min(40, bars.length > 0 ? width / bars.length : width);
  return (
    <svg className="chart" data-testid={testId} viewBox={`0 0 ${width} ${height + 18}`} role="img">
      {bars.map((b, i) => {
        const h = (b.value / top) * height;
        return (
          <g key={b.key} className={b.onClick ? 'bar clickable' : 'bar'} onClick={b.onClick}>
            <title>{`${b.label}：${b.value}`}</title>
            <rect
              x={i * step + step * 0.15}
              y={height - h}
              width={Math.max(1, step * 0.7)}
              height={h}
              className="bar-fill normal"
            />
          </g>
        );
      })}
      {bars.length > 0 && (
        <>
          <text x={0} y={height + 14} className="bar-label">
            {bars[0].label}
          </text>
          <text x={width} y={height + 14} textAnchor="end" className="bar-label">
            {bars[bars.length - 1].label}
          </text>
        </>
      )}
    </svg>
  );
}
