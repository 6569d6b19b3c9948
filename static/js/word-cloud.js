// A word cloud drawn in SVG by Quizcast itself: words sized by how often they were sent, placed from the centre
// outwards along a spiral where they overlap nothing placed before. Word widths are estimated from their length
// (no text is measured), so a cloud of a hundred words is laid out in a few milliseconds, and the same words
// always land in the same places.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 960;
const HEIGHT = 540;
const MIN_SIZE = 22;
const MAX_SIZE = 84;
const CHAR_WIDTH = 0.58; // of the font size, for a sans-serif font with mixed case
const COLOURS = 6; // .qc-cloud-word--0 … --5 in quizcast.css, all AA on white

function boxOverlaps(box, placed) {
  for (const other of placed) {
    if (box.x < other.x + other.w && other.x < box.x + box.w && box.y < other.y + other.h && other.y < box.y + box.h)
      return true;
  }
  return false;
}

// [{text, count}] -> [{text, count, size, x, y, w, h}] of the words that fit, biggest first.
export function layoutCloud(words, { width = WIDTH, height = HEIGHT } = {}) {
  if (!words.length) return [];
  const counts = words.map((word) => word.count);
  const most = Math.max(...counts);
  const least = Math.min(...counts);
  const placed = [];
  for (const word of [...words].sort((a, b) => b.count - a.count || a.text.localeCompare(b.text))) {
    const weight = most === least ? 1 : Math.sqrt((word.count - least) / (most - least));
    let size = MIN_SIZE + (MAX_SIZE - MIN_SIZE) * weight;
    const widest = width * 0.9;
    const estimate = (s) => word.text.length * s * CHAR_WIDTH + s * 0.3;
    if (estimate(size) > widest) size = Math.max(MIN_SIZE * 0.75, widest / (word.text.length * CHAR_WIDTH + 0.3));
    const w = estimate(size);
    const h = size * 1.1;
    for (let step = 0; step < 1500; step += 1) {
      const angle = step * 0.35;
      const radius = 3 * angle;
      const x = width / 2 + radius * Math.cos(angle) * (width / height) - w / 2;
      const y = height / 2 + radius * Math.sin(angle) - h / 2;
      if (x < 0 || y < 0 || x + w > width || y + h > height) {
        if (radius > width) break;
        continue;
      }
      const box = { x, y, w, h };
      if (!boxOverlaps(box, placed)) {
        placed.push({ ...word, ...box, size });
        break;
      }
    }
  }
  return placed;
}

// The cloud as an SVG element; `label` names it for screen readers, which also get the words as a list.
export function wordCloud(words, { label, countLabel }) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute("class", "qc-cloud");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const title = document.createElementNS(SVG, "title");
  title.textContent = label;
  svg.append(title);
  layoutCloud(words).forEach((word, index) => {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", String(Math.round(word.x + word.w / 2)));
    text.setAttribute("y", String(Math.round(word.y + word.h * 0.8)));
    text.setAttribute("font-size", String(Math.round(word.size)));
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("class", `qc-cloud-word qc-cloud-word--${index % COLOURS}`);
    text.dataset.word = word.text;
    text.dataset.count = String(word.count);
    text.textContent = word.text;
    const tip = document.createElementNS(SVG, "title");
    tip.textContent = countLabel(word);
    text.append(tip);
    svg.append(text);
  });
  return svg;
}
