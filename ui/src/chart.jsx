// A uPlot line chart that follows its data: created once, then setData on every change.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#2456a6', '#c0392b', '#16a085', '#8e44ad'];

// `xRange` ([min, max] in seconds) fixes the time axis; otherwise it fits the data.
export function Chart({ title, series, data, width = 380, height = 170, testId, xRange }) {
  const box = useRef(null);
  const plot = useRef(null);
  const range = useRef(xRange);
  range.current = xRange;
  useEffect(() => {
    const opts = {
      title,
      width,
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: { x: { time: true, range: (u, min, max) => range.current || [min, max] } },
      axes: [{}, { size: 50 }],
      series: [{}, ...series.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }))],
    };
    plot.current = new uPlot(opts, data, box.current);
    return () => plot.current.destroy();
  }, [title, series.join('|'), width, height]);
  useEffect(() => {
    if (plot.current) plot.current.setData(data);
  }, [data]);
  return <div class="chart" data-testid={testId} data-points={data[0].length} ref={box} />;
}
