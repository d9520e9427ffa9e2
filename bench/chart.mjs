// A small horizontal bar chart of the ratios (kms-core ÷ baseline), with the 1.0 line and each
// row's target.
export function svgChart(rows) {
  const W = 900, rowH = 22, left = 330, top = 40, max = Math.max(2, ...rows.map((r) => Math.min(r.ratio, 20)));
  const H = top + rows.length * rowH + 40;
  const x = (v) => left + ((W - left - 60) * Math.min(v, max)) / max;
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = rows
    .map((r, i) => {
      const y = top + i * rowH;
      const ok = !r.target || r.ratio >= r.target;
      const t = r.target ? `<line x1="${x(r.target)}" x2="${x(r.target)}" y1="${y}" y2="${y + rowH - 6}" stroke="#000" stroke-dasharray="2,2"/>` : '';
      return `<text x="${left - 8}" y="${y + 13}" text-anchor="end">${esc(r.name)}</text><rect x="${left}" y="${y}" width="${x(r.ratio) - left}" height="${rowH - 6}" fill="${ok ? '#3a7' : '#d54'}"/>${t}<text x="${x(r.ratio) + 4}" y="${y + 13}">${r.ratio.toFixed(2)}×</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<text x="${left}" y="20" font-size="14">kms-core ops/s ÷ baseline ops/s (same run); dashed: target</text>
<line x1="${x(1)}" x2="${x(1)}" y1="${top - 6}" y2="${H - 30}" stroke="#888"/>
<text x="${x(1)}" y="${H - 14}" text-anchor="middle">1.0×</text>
${bars}
</svg>
`;
}
