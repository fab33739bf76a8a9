/** Findings by severity over time: a uPlot line chart (canvas; uPlot's CSS is bundled, no inline styles in HTML). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
}

export function TimeChart(props: { days: readonly string[]; series: readonly Series[]; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const xs = props.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const width = () => Math.max(280, Math.min(el.clientWidth || 600, 1100));
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
        axes: [{}, { size: 50 }],
        legend: { show: true },
      },
      [xs, ...props.series.map((s) => [...s.values])],
      el,
    );
    const onResize = () => plot.setSize({ width: width(), height: 220 });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [props.days, props.series]);
  return <div ref={ref} class="chart" role="img" aria-label={props.title} />;
}
