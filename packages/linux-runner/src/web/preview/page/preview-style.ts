/** The preview page's style: readable on a laptop beside the camera, no external fonts. */
export const PREVIEW_STYLE = String.raw`
:root { color-scheme: light dark; --accent: #2f6fde; --bad: #d33; font-family: system-ui, sans-serif; }
body { margin: 0; }
header { display: flex; align-items: baseline; gap: 1rem; padding: 0.75rem 1rem; border-bottom: 1px solid #8884; }
h1 { font-size: 1.2rem; margin: 0; }
h2 { font-size: 1rem; margin: 1rem 0 0.5rem; }
#connection { font-size: 0.85rem; padding: 0.1rem 0.5rem; border-radius: 1rem; background: #8883; }
#connection[data-state='open'] { background: #2a2; color: white; }
#connection[data-state='closed'] { background: var(--bad); color: white; }
main { display: flex; flex-wrap: wrap; gap: 1.5rem; padding: 1rem; }
.view { flex: 0 1 480px; }
aside { flex: 1 1 320px; min-width: 0; }
#stage { position: relative; width: 100%; max-width: 480px; aspect-ratio: 1; background: #0003; }
#frame { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: fill; image-rendering: pixelated; }
#no-frame { position: absolute; inset: 0; margin: auto; height: 1.5em; text-align: center; color: #888; }
#overlay { position: absolute; inset: 0; }
.box { position: absolute; border: 2px solid var(--accent); box-sizing: border-box; }
.box > span { position: absolute; left: -2px; bottom: 100%; background: var(--accent); color: white; font-size: 0.75rem; padding: 0 0.25rem; white-space: nowrap; }
.centroid { position: absolute; width: 14px; height: 14px; margin: -7px 0 0 -7px; border-radius: 50%; background: var(--accent); border: 2px solid white; }
.centroid > span { position: absolute; left: 16px; top: -4px; color: white; background: var(--accent); font-size: 0.75rem; padding: 0 0.25rem; white-space: nowrap; }
.cell { position: absolute; border: 1px solid var(--bad); background: #d333; box-sizing: border-box; font-size: 0.7rem; color: white; }
#summary { font-size: 1.1rem; min-height: 1.5em; }
.toggle { font-size: 0.9rem; }
form.threshold { display: flex; align-items: center; gap: 0.5rem; margin: 0.25rem 0; }
form.threshold input { width: 6rem; }
#threshold-status[data-state='error'] { color: var(--bad); }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { text-align: left; padding: 0.2rem 0.4rem; border-bottom: 1px solid #8883; vertical-align: top; }
td:last-child { word-break: break-word; }
.muted { color: #888; }
`;
