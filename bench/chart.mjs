// A small horizontal bar chart of the ratios (kms-core ÷ baseline) on a log scale, so that 0.5×
// and 20× are both readable; the 1.0× line and each row's target (dashed) are drawn.
export function svgChart(rows) {
  const W = 920, rowH = 22, left = 330, right = 70, top = 40;
  const lo = 0.125, hi = Math.max(32, ...rows.map((r) => r.ratio));
  const H = top + rows.length * rowH + 44;
  const x = (v) => left + ((W - left - right) * (Math.log(Math.max(lo, Math.min(v, hi))) - Math.log(lo))) / (Math.log(hi) - Math.log(lo));
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ticks = [];
  for (let t = lo; t <= hi; t *= 2) ticks.push(t);
  const grid = ticks
    .map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${top - 6}" y2="${H - 34}" stroke="${t === 1 ? '#555' : '#ddd'}"/><text x="${x(t)}" y="${H - 18}" text-anchor="middle">${t}×</text>`)
    .join('\n');
  const bars = rows
    .map((r, i) => {
      const y = top + i * rowH;
      const ok = !r.target || r.ratio >= r.target;
      const t = r.target ? `<line x1="${x(r.target)}" x2="${x(r.target)}" y1="${y - 2}" y2="${y + rowH - 4}" stroke="#000" stroke-width="2" stroke-dasharray="3,2"/>` : '';
      return `<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(r.name)}</text><rect x="${x(lo)}" y="${y}" width="${x(r.ratio) - x(lo)}" height="${rowH - 6}" fill="${ok ? '#3a7' : '#d54'}"/>${t}<text x="${x(r.ratio) + 4}" y="${y + 13}">${r.ratio.toFixed(2)}×</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${left}" y="20" font-size="14">kms-core ops/s ÷ baseline ops/s, same run (log scale); dashed: target; red: missed</text>
${grid}
${bars}
</svg>
`;
}
