// @ts-check
'use strict';

/**
 * One message of the stdout transport as a readable line: `inference/output #35  red 0.906 [x 4 y 14 w 13 h 13]`.
 * Model metrics become the live summary instead (`summary` set, no `line`).
 *
 * @param {string} topic full topic, /edgeimpulse/device/<D>/<kind>/<direction>
 * @param {any} payload the message's JSON
 * @returns {{ line?: string, summary?: string }}
 */
function formatMessage(topic, payload) {
  const short = topic.split('/').slice(-2).join('/');
  // After each command the component clears the retained command slot (an empty message): not news here.
  if (short === 'command/input' && payload === '') return {};
  if (short === 'model/metrics') return { summary: summaryOf(payload) };
  if (short === 'inference/output')
    return { line: `${short} #${payload.total_inferences}  ${describeResult(payload)}` };
  return { line: `${short}  ${JSON.stringify(payload)}` };
}

/** @param {any} p an inference payload (SPEC section 3) */
function describeResult(p) {
  const parts = [];
  if (p.c) {
    const ranked = Object.entries(/** @type {Record<string, number>} */ (p.c)).sort((a, b) => b[1] - a[1]);
    parts.push(ranked.map(([label, score]) => `${label} ${score.toFixed(3)}`).join('  '));
  }
  if (p.box) parts.push(p.box.map(describeBox).join('  '));
  if (p.grid) parts.push(`${p.grid.length} anomalous cells, max ${p.visual_anomaly_max}`);
  if (p.freeform) parts.push(`freeform ${JSON.stringify(p.freeform)}`);
  if (p.anomaly !== undefined && p.grid === undefined) parts.push(`anomaly ${p.anomaly.toFixed(3)}`);
  if (p.inference_count === 0) parts.push('nothing above the threshold');
  parts.push(`(${p.time_ms} ms)`);
  if (p.request_id !== undefined) parts.push(`answers request ${p.request_id}`);
  return parts.join('  ');
}

/** @param {{ label: string, value: number, x: number, y: number, width: number, height: number }} b */
function describeBox(b) {
  return `${b.label} ${b.value.toFixed(3)} [x ${b.x} y ${b.y} w ${b.width} h ${b.height}]`;
}

/** @param {any} m a model metrics payload (SPEC section 3, with the product's extra counters) */
function summaryOf(m) {
  const { seen, published, filtered } = m.counts;
  return `${m.inferences_per_s.toFixed(1)} inferences/s | seen ${seen} | published ${published} | filtered ${filtered} | mean confidence ${m.mean_confidence.toFixed(3)}`;
}

module.exports = { formatMessage };
