#!/usr/bin/env node
// @ts-check
/**
 * Writes the demo's sample images (committed in images/; run again only to change them): twelve 128x128
 * frames of a red ball rolling left to right past a blue box, which is a thin blue stick in some frames. The demo
 * model finds the red and blue objects, scored by how solidly the colour fills its box: the ball and the box
 * score 0.88 or more, the stick about 0.65, so `enable_threshold_filter` (0.7) visibly drops the stick.
 * Drawn as SVG, rasterised to PNG by sharp, without anti-aliasing so the colours stay pure.
 */
'use strict';
const { mkdirSync, rmSync } = require('node:fs');
const path = require('node:path');
const sharp = require('sharp');

const SIZE = 128;
const FRAMES = 12;
const OUT = path.join(__dirname, 'images');

/** @param {number} i frame number */
function frameSvg(i) {
  const ballX = 14 + i * 9;
  const shapes = [
    `<circle cx="${ballX}" cy="${40 + (i % 4) * 6}" r="12" fill="#ff0000"/>`,
    // The model reports one box per colour, so the blue object is either the box or the stick.
    i % 4 === 1
      ? `<line x1="70" y1="72" x2="114" y2="116" stroke="#0000ff" stroke-width="3"/>`
      : `<rect x="${84 - i}" y="78" width="26" height="26" fill="#0000ff"/>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" shape-rendering="crispEdges">
  <rect width="100%" height="100%" fill="#303030"/>${shapes.join('')}</svg>`;
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  for (let i = 0; i < FRAMES; i++) {
    const file = path.join(OUT, `frame-${String(i + 1).padStart(2, '0')}.png`);
    await sharp(Buffer.from(frameSvg(i)))
      .png({ compressionLevel: 9, palette: true })
      .toFile(file);
  }
  console.log(`wrote ${FRAMES} images to ${OUT}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
