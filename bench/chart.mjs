// A small horizontal bar chart of the ratios (kms-core ÷ baseline) on a log scale, so that 0.5×
// and 20× are both readable; the 1.0× line and each row's target (dashed) are drawn. A row
// measured beside moto gets a second, thinner bar: kms-core ÷ moto, with its own target.
export function svgChart(rows, { title } = {}) {
  const W = 980, rowH = 24, left = 390, right = 70, top = 58;
  const all = rows.flatMap((r) => [r.ratio, r.motoRatio ?? 1]);
  const lo = Math.min(0.125, ...all.map((v) => 2 ** Math.floor(Math.log2(v)))), hi = Math.max(32, ...all);
  const H = top + rows.length * rowH + 44;
  const x = (v) => left + ((W - left - right) * (Math.log(Math.max(lo, Math.min(v, hi))) - Math.log(lo))) / (Math.log(hi) - Math.log(lo));
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ticks = [];
  for (let t = lo; t <= hi; t *= 2) ticks.push(t);
  const grid = ticks
    .map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${top - 6}" y2="${H - 34}" stroke="${t === 1 ? '#555' : '#ddd'}"/><text x="${x(t)}" y="${H - 18}" text-anchor="middle">${t}×</text>`)
    .join('\n');
  const mark = (v, y, h) => `<line x1="${x(v)}" x2="${x(v)}" y1="${y - 1}" y2="${y + h + 1}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>`;
  const bars = rows
    .map((r, i) => {
      const y = top + i * rowH;
      const ok = !r.target || r.ratio >= r.target;
      const hasMoto = typeof r.motoRatio === 'number';
      const h = hasMoto ? 11 : rowH - 6;
      let s = `<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(r.name)}</text><rect x="${x(lo)}" y="${y}" width="${x(r.ratio) - x(lo)}" height="${h}" fill="${ok ? '#3a7' : '#d54'}"/>${r.target ? mark(r.target, y, h) : ''}<text x="${x(r.ratio) + 4}" y="${y + 10}" font-size="10">${r.ratio.toFixed(2)}×</text>`;
      if (hasMoto) {
        const okM = !r.motoTarget || r.motoRatio >= r.motoTarget;
        const ym = y + h + 1;
        s += `<rect x="${x(lo)}" y="${ym}" width="${x(r.motoRatio) - x(lo)}" height="6" fill="${okM ? '#47c' : '#e8a'}"/>${r.motoTarget ? mark(r.motoTarget, ym, 6) : ''}<text x="${x(r.motoRatio) + 4}" y="${ym + 7}" font-size="9" fill="#236">${r.motoRatio.toFixed(2)}× moto</text>`;
      }
      return s;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${left}" y="20" font-size="14">${esc(title ?? 'kms-core ops/s ÷ baseline ops/s, same run (log scale)')}</text>
<text x="${left}" y="38" font-size="11">thick bar: ÷ its baseline (green, red if missed); thin bar: ÷ moto (blue, pink if missed); dashed: target</text>
${grid}
${bars}
</svg>
`;
}
