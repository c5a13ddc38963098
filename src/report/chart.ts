/**
 * Server-side rendering of the daily digest chart.
 *
 * ECharts draws the chart as SVG (server-side rendering, no DOM), and
 * @resvg/resvg-js rasterizes it to PNG. Chinese labels use Noto Sans (S Chinese)
 * shipped in the npm package @embedpdf/fonts-sc (OFL-1.1), and system fonts are
 * never loaded, so the output is the same on a bare machine as on a desktop.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { BarChart } from 'echarts/charts';
import type { BarSeriesOption } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import type {
  GraphicComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TitleComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import type { ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, TitleComponent, LegendComponent, GraphicComponent, SVGRenderer]);

type ChartOption = ComposeOption<
  BarSeriesOption | GridComponentOption | TitleComponentOption | LegendComponentOption | GraphicComponentOption
>;

/** Figures the digest chart shows; labels are already in Chinese. */
export interface DigestChartData {
  /** Chart title, e.g. "日报 2026-11-24". */
  title: string;
  /** New tickets by level or kind: 一级, 二级, 三级, 四级, 咨询, 投诉. */
  newByLevel: { level: string; count: number }[];
  /** Open tickets by status, e.g. 待响应, 处理中, 待到场, 挂起. */
  openByStatus: { status: string; count: number }[];
  /**
   * Time limits, per clock (首次响应, 到场, …): steps done in the period on time and
   * late, and deadlines that passed in it with the step not done — the digest text's figures.
   */
  sla: { clock: string; onTime: number; late: number; overdue: number }[];
  /** Satisfaction ratings: how many ratings gave each score (e.g. 1..5). */
  satisfaction?: { score: number; count: number }[];
}

export interface DigestChartOptions {
  width?: number;
  height?: number;
}

/** Family name recorded in the font's name table (NotoSansHans-*.otf, v1.000). */
export const CHART_FONT_FAMILY = 'Noto Sans S Chinese';

const FONT_PACKAGE = '@embedpdf/fonts-sc';
const DEFAULT_WIDTH = 1200;
const DEFAULT_HEIGHT = 800;

export interface ChartFonts {
  regular: string;
  bold: string;
}

let cachedFonts: ChartFonts | undefined;

/**
 * Absolute paths of the CJK font files, resolved once. The package's exports map
 * only exposes its JS entry, so the fonts are found next to it (../fonts).
 */
export function chartFontFiles(): ChartFonts {
  if (cachedFonts) return cachedFonts;
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(FONT_PACKAGE);
  } catch (err) {
    throw new Error(`chart font package ${FONT_PACKAGE} is not installed (npm install)`, { cause: err });
  }
  const dir = path.resolve(path.dirname(entry), '..', 'fonts');
  const fonts: ChartFonts = {
    regular: path.join(dir, 'NotoSansHans-Regular.otf'),
    bold: path.join(dir, 'NotoSansHans-Bold.otf'),
  };
  for (const file of Object.values(fonts)) {
    if (!existsSync(file)) throw new Error(`chart font file missing: ${file} (from ${FONT_PACKAGE})`);
  }
  cachedFonts = fonts;
  return fonts;
}

/** resvg font options: the bundled CJK font for every generic family, no system fonts. */
export function chartFontOptions(): NonNullable<ResvgRenderOptions['font']> {
  const fonts = chartFontFiles();
  return {
    fontFiles: [fonts.regular, fonts.bold],
    loadSystemFonts: false,
    defaultFontFamily: CHART_FONT_FAMILY,
    sansSerifFamily: CHART_FONT_FAMILY,
    serifFamily: CHART_FONT_FAMILY,
    monospaceFamily: CHART_FONT_FAMILY,
  };
}

/** Rasterizes an SVG to PNG on a white background with the bundled CJK font. */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { background: '#ffffff', font: chartFontOptions() }).render().asPng();
}

// Colours by level or kind; anything else takes the palette in order.
const LEVEL_COLORS: Record<string, string> = {
  一级: '#d9363e',
  二级: '#f07c2a',
  三级: '#e6b422',
  四级: '#3b82c4',
  咨询: '#8c8c8c',
  投诉: '#8e44ad',
};
const PALETTE = ['#3b82c4', '#2fa36b', '#f07c2a', '#8e44ad', '#d9363e', '#13a8a8', '#8c8c8c', '#e6b422'];
const MET_COLOR = '#2fa36b';
const BREACHED_COLOR = '#d9363e';
const WARN_COLOR = '#f07c2a';
const TEXT_COLOR = '#262626';
const SUBTEXT_COLOR = '#8c8c8c';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const nonNegative = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

interface Panel {
  title: string;
  subtitle: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Builds the ECharts option: a title and a 2×2 grid of bar charts. */
function buildOption(data: DigestChartData, width: number, height: number): ChartOption {
  const newByLevel = data.newByLevel.map((d) => ({ name: d.level, value: nonNegative(d.count) }));
  const openByStatus = data.openByStatus.map((d) => ({ name: d.status, value: nonNegative(d.count) }));
  const sla = data.sla.map((d) => ({ name: d.clock, onTime: nonNegative(d.onTime), late: nonNegative(d.late), overdue: nonNegative(d.overdue) }));
  const satisfaction = [...(data.satisfaction ?? [])]
    .map((d) => ({ score: d.score, count: nonNegative(d.count) }))
    .sort((a, b) => b.score - a.score);

  const newTotal = sum(newByLevel.map((d) => d.value));
  const openTotal = sum(openByStatus.map((d) => d.value));
  const slaTotal = sum(sla.map((d) => d.onTime + d.late + d.overdue));
  const ratingCount = sum(satisfaction.map((d) => d.count));
  const ratingAverage = ratingCount > 0 ? sum(satisfaction.map((d) => d.score * d.count)) / ratingCount : 0;

  // Layout in pixels: a header band, then two rows of two panels.
  const s = Math.min(width / DEFAULT_WIDTH, height / DEFAULT_HEIGHT);
  const header = Math.round(64 * s);
  const margin = Math.round(24 * s);
  const panelW = (width - margin * 3) / 2;
  const panelH = (height - header - margin * 2) / 2;
  const panelAt = (col: number, row: number): Pick<Panel, 'left' | 'top' | 'width' | 'height'> => ({
    left: margin + col * (panelW + margin),
    top: header + row * (panelH + margin),
    width: panelW,
    height: panelH,
  });
  const pct = (met: number, total: number): string => (total > 0 ? `${Math.round((met / total) * 100)}%` : '—');

  const panels: Panel[] = [
    { title: '新增工单（按级别）', subtitle: `共 ${newTotal} 件`, ...panelAt(0, 0) },
    { title: '未关闭工单（按状态）', subtitle: `共 ${openTotal} 件`, ...panelAt(1, 0) },
    // Each clock on its own: a sum over different clocks (1/4) reads as a figure about tickets.
    { title: '时限达成', subtitle: '本期完成的按时/超时，及到期未完成', ...panelAt(0, 1) },
    {
      title: '客户满意度',
      subtitle: ratingCount > 0 ? `平均 ${ratingAverage.toFixed(1)} 分 · 共 ${ratingCount} 条评价` : '暂无评价',
      ...panelAt(1, 1),
    },
  ];

  const titleSize = Math.max(14, Math.round(26 * s));
  const panelTitleSize = Math.max(12, Math.round(17 * s));
  const labelSize = Math.max(10, Math.round(13 * s));
  const panelHeader = Math.round(44 * s);

  const titles: TitleComponentOption[] = [
    {
      text: data.title,
      left: 'center',
      top: Math.round(14 * s),
      textStyle: { fontSize: titleSize, fontWeight: 'bold', color: TEXT_COLOR },
    },
    ...panels.map(
      (p): TitleComponentOption => ({
        text: p.title,
        subtext: p.subtitle,
        left: p.left,
        top: p.top,
        itemGap: Math.round(4 * s),
        textStyle: { fontSize: panelTitleSize, fontWeight: 'bold', color: TEXT_COLOR },
        subtextStyle: { fontSize: labelSize, color: SUBTEXT_COLOR },
      }),
    ),
  ];

  const grids: GridComponentOption[] = panels.map((p) => ({
    left: p.left + Math.round(8 * s),
    top: p.top + panelHeader + Math.round(16 * s),
    width: p.width - Math.round(16 * s),
    height: p.height - panelHeader - Math.round(16 * s) - Math.round(36 * s),
    // Keep axis labels inside the panel (the ECharts 6 form of containLabel).
    outerBoundsMode: 'same',
    outerBoundsContain: 'axisLabel',
  }));

  const categoryAxis = (gridIndex: number, names: string[]) => ({
    type: 'category' as const,
    gridIndex,
    data: names,
    axisTick: { show: false },
    axisLine: { lineStyle: { color: '#bfbfbf' } },
    axisLabel: { fontSize: labelSize, color: TEXT_COLOR, interval: 0, hideOverlap: false },
  });
  const valueAxis = (gridIndex: number) => ({
    type: 'value' as const,
    gridIndex,
    minInterval: 1,
    // Keep a visible scale when every count is zero.
    max: (extent: { max: number }) => (extent.max > 0 ? null : 1),
    axisLabel: { fontSize: labelSize, color: SUBTEXT_COLOR },
    splitLine: { lineStyle: { color: '#f0f0f0' } },
  });
  const barLabel = { show: true, position: 'top' as const, fontSize: labelSize, color: TEXT_COLOR };

  const satisfactionNames = satisfaction.map((d) => `${d.score} 分`);
  const xAxis = [
    categoryAxis(0, newByLevel.map((d) => d.name)),
    categoryAxis(1, openByStatus.map((d) => d.name)),
    categoryAxis(
      2,
      sla.map((d) => (d.onTime + d.late > 0 ? `${d.name}\n按时 ${pct(d.onTime, d.onTime + d.late)}` : d.name)),
    ),
    categoryAxis(3, satisfactionNames),
  ];
  const yAxis = [valueAxis(0), valueAxis(1), valueAxis(2), valueAxis(3)];

  const series: BarSeriesOption[] = [
    {
      type: 'bar',
      name: '新增',
      xAxisIndex: 0,
      yAxisIndex: 0,
      barMaxWidth: 48,
      label: barLabel,
      data: newByLevel.map((d, i) => ({
        value: d.value,
        itemStyle: { color: LEVEL_COLORS[d.name] ?? PALETTE[i % PALETTE.length] },
      })),
    },
    {
      type: 'bar',
      name: '未关闭',
      xAxisIndex: 1,
      yAxisIndex: 1,
      barMaxWidth: 48,
      label: barLabel,
      data: openByStatus.map((d, i) => ({ value: d.value, itemStyle: { color: PALETTE[i % PALETTE.length] } })),
    },
    {
      type: 'bar',
      name: '按时',
      stack: 'sla',
      xAxisIndex: 2,
      yAxisIndex: 2,
      barMaxWidth: 56,
      itemStyle: { color: MET_COLOR },
      label: { show: true, position: 'inside', fontSize: labelSize, color: '#ffffff', formatter: hideZero },
      data: sla.map((d) => d.onTime),
    },
    {
      type: 'bar',
      name: '超时完成',
      stack: 'sla',
      xAxisIndex: 2,
      yAxisIndex: 2,
      barMaxWidth: 56,
      itemStyle: { color: BREACHED_COLOR },
      label: { show: true, position: 'inside', fontSize: labelSize, color: '#ffffff', formatter: hideZero },
      data: sla.map((d) => d.late),
    },
    {
      type: 'bar',
      name: '到期未完成',
      stack: 'sla',
      xAxisIndex: 2,
      yAxisIndex: 2,
      barMaxWidth: 56,
      itemStyle: { color: WARN_COLOR },
      // Usually few: labelled above the stack, where they always fit.
      label: { show: true, position: 'top', fontSize: labelSize, color: WARN_COLOR, formatter: hideZero },
      data: sla.map((d) => d.overdue),
    },
    {
      type: 'bar',
      name: '评价',
      xAxisIndex: 3,
      yAxisIndex: 3,
      barMaxWidth: 48,
      label: barLabel,
      data: satisfaction.map((d) => ({
        value: d.count,
        // Low scores stand out: green 4-5, orange 3, red 1-2 (on a 5-point scale).
        itemStyle: { color: d.score >= 4 ? MET_COLOR : d.score >= 3 ? WARN_COLOR : BREACHED_COLOR },
      })),
    },
  ];

  // "No data" notes over panels with nothing to draw.
  const empty = [newTotal === 0, openTotal === 0, slaTotal === 0, ratingCount === 0];
  const graphic: GraphicComponentOption[] = [];
  panels.forEach((p, i) => {
    if (!empty[i]) return;
    graphic.push({
      type: 'text',
      x: p.left + p.width / 2,
      y: p.top + p.height / 2,
      style: {
        text: '无数据',
        fontFamily: CHART_FONT_FAMILY,
        fontSize: labelSize + 2,
        fill: SUBTEXT_COLOR,
        align: 'center',
        verticalAlign: 'middle',
      },
      z: 100,
    });
  });

  const legend: LegendComponentOption = {
    data: ['按时', '超时完成', '到期未完成'],
    left: panels[2]!.left + panels[2]!.width - Math.round(300 * s),
    top: panels[2]!.top + Math.round(4 * s),
    itemWidth: Math.round(14 * s),
    itemHeight: Math.round(10 * s),
    textStyle: { fontSize: labelSize, color: TEXT_COLOR },
  };

  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_FAMILY },
    title: titles,
    legend,
    grid: grids,
    xAxis,
    yAxis,
    series,
    graphic,
  };
}

function hideZero(params: unknown): string {
  const value = (params as { value?: unknown }).value;
  return typeof value === 'number' && value > 0 ? String(value) : '';
}

/** Renders the digest chart as an SVG string (fonts referenced by family, not embedded). */
export function renderDigestChartSvg(data: DigestChartData, opts: DigestChartOptions = {}): string {
  const width = opts.width ?? DEFAULT_WIDTH;
  const height = opts.height ?? DEFAULT_HEIGHT;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(buildOption(data, width, height));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Renders the digest chart as a PNG with the bundled CJK font. */
export async function renderDigestChart(data: DigestChartData, opts: DigestChartOptions = {}): Promise<Buffer> {
  return svgToPng(renderDigestChartSvg(data, opts));
}
