import { existsSync, statSync } from 'node:fs';

import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';

import {
  CHART_FONT_FAMILY,
  chartFontFiles,
  chartFontOptions,
  renderDigestChart,
  renderDigestChartSvg,
  type DigestChartData,
} from '../../src/report/chart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const sample: DigestChartData = {
  title: '日报 2026-11-24',
  newByLevel: [
    { level: '一级', count: 2 },
    { level: '二级', count: 7 },
    { level: '三级', count: 15 },
    { level: '四级', count: 9 },
    { level: '咨询', count: 12 },
    { level: '投诉', count: 1 },
  ],
  openByStatus: [
    { status: '待响应', count: 3 },
    { status: '处理中', count: 11 },
    { status: '挂起', count: 2 },
  ],
  sla: [
    { clock: '首次响应', onTime: 44, late: 1, overdue: 1 },
    { clock: '到场', onTime: 9, late: 0, overdue: 1 },
  ],
  satisfaction: [
    { score: 5, count: 18 },
    { score: 4, count: 7 },
    { score: 2, count: 1 },
  ],
};

const emptyDay: DigestChartData = {
  title: '日报 2026-11-25',
  newByLevel: ['一级', '二级', '三级', '四级', '咨询', '投诉'].map((level) => ({ level, count: 0 })),
  openByStatus: [],
  sla: [{ clock: '首次响应', onTime: 0, late: 0, overdue: 0 }],
};

/** Width and height from the PNG's IHDR chunk, which always comes first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Decodes a PNG to RGBA by letting resvg draw it as an embedded image. */
function decodePng(png: Buffer): { width: number; height: number; pixels: Buffer } {
  const { width, height } = pngSize(png);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}">` +
    `<image width="${width}" height="${height}" xlink:href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const image = new Resvg(svg, { font: { loadSystemFonts: false } }).render();
  return { width: image.width, height: image.height, pixels: image.pixels };
}

/** Pixels in a rectangle that are clearly darker than the white background. */
function inkPixels(
  img: { width: number; pixels: Buffer },
  rect: { x: number; y: number; w: number; h: number },
): number {
  // RenderedImage.pixels is a getter that copies the buffer: read it once.
  const pixels = img.pixels;
  let n = 0;
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let x = rect.x; x < rect.x + rect.w; x++) {
      const i = (y * img.width + x) * 4;
      const alpha = pixels[i + 3]!;
      const luma = (pixels[i]! + pixels[i + 1]! + pixels[i + 2]!) / 3;
      if (alpha > 0 && luma < 160) n++;
    }
  }
  return n;
}

describe('chart font', () => {
  it('resolves the bundled CJK font files once', () => {
    const fonts = chartFontFiles();
    expect(chartFontFiles()).toBe(fonts);
    for (const file of [fonts.regular, fonts.bold]) {
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(1_000_000);
    }
  });

  it('draws Chinese glyphs with the bundled font, and nothing without it', () => {
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60">` +
      `<text x="10" y="42" font-size="32" font-family="${CHART_FONT_FAMILY}">首次响应</text></svg>`;
    const rect = { x: 0, y: 0, w: 240, h: 60 };

    const withFont = new Resvg(svg, { background: '#ffffff', font: chartFontOptions() }).render();
    // Four 32px ideographs cover well over a few hundred dark pixels.
    expect(inkPixels(withFont, rect)).toBeGreaterThan(400);

    // Control: the same SVG with no font at all draws no text, so the ink above is the font's.
    const withoutFont = new Resvg(svg, { background: '#ffffff', font: { loadSystemFonts: false } }).render();
    expect(inkPixels(withoutFont, rect)).toBe(0);
  });
});

describe('renderDigestChartSvg', () => {
  it('contains the Chinese labels and names the bundled font family', () => {
    const svg = renderDigestChartSvg(sample);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of [
      '日报 2026-11-24',
      '新增工单',
      '一级',
      '四级',
      '咨询',
      '投诉',
      '待响应',
      '处理中',
      '首次响应',
      '到场',
      '客户满意度',
      '5 分',
    ]) {
      expect(svg).toContain(label);
    }
    expect(svg).toContain(`font-family:${CHART_FONT_FAMILY}`);
    expect(svg).not.toContain('font-family:sans-serif');
  });

  it('summarizes totals and rates in the panel subtitles', () => {
    const svg = renderDigestChartSvg(sample);
    expect(svg).toContain('共 46 件'); // new tickets
    expect(svg).toContain('共 16 件'); // open tickets
    // Each clock has its own on-time share; no sum over different clocks.
    expect(svg).toContain('按时 98%'); // 首次响应 44 of 45 done
    expect(svg).toContain('按时 100%'); // 到场 9 of 9 done
    expect(svg).not.toMatch(/\d+\/\d+/);
    for (const legend of ['按时', '超时完成', '到期未完成']) expect(svg).toContain(legend);
    expect(svg).toContain('平均 4.6 分 · 共 26 条评价');
  });

  it('handles an all-zero day without throwing and says there is no data', () => {
    const svg = renderDigestChartSvg(emptyDay);
    expect(svg).toContain('无数据');
    expect(svg).toContain('暂无评价');
    expect(svg).toContain('共 0 件');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });
});

describe('renderDigestChart', () => {
  it('renders a PNG of the default size with Chinese text in the title band', async () => {
    const png = await renderDigestChart(sample);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(png)).toEqual({ width: 1200, height: 800 });

    // The title band holds only the title, "日报 2026-11-24", centred at the top.
    const img = decodePng(png);
    const titleBand = { x: 400, y: 10, w: 400, h: 45 };
    expect(inkPixels(img, titleBand)).toBeGreaterThan(500);

    // The band's left third holds the two ideographs "日报": they must have ink too.
    const ideographs = { x: 480, y: 10, w: 70, h: 45 };
    expect(inkPixels(img, ideographs)).toBeGreaterThan(150);

    // Control: the same chart rasterized with no font leaves the title band blank.
    const noFont = new Resvg(renderDigestChartSvg(sample), {
      background: '#ffffff',
      font: { loadSystemFonts: false },
    }).render();
    expect(inkPixels(noFont, titleBand)).toBe(0);
  });

  it('honours the requested size and renders an empty day', async () => {
    const png = await renderDigestChart(emptyDay, { width: 800, height: 500 });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(png)).toEqual({ width: 800, height: 500 });
  });
});
