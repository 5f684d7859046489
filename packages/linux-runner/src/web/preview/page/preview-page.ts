/** The preview page's HTML: the frame with its overlay, the summary, thresholds and recent results. */
export const PREVIEW_PAGE = String.raw`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Live preview · ei-gg linux-runner</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/preview.css" />
  </head>
  <body>
    <header>
      <h1 id="project">Live preview</h1>
      <span id="connection" data-state="connecting">connecting…</span>
    </header>
    <main>
      <section class="view">
        <div id="stage" data-box-count="0" data-labels="">
          <img id="frame" alt="the frame the model classified" hidden />
          <p id="no-frame">waiting for a frame…</p>
          <div id="overlay"></div>
        </div>
        <p id="summary">waiting for a result…</p>
        <label class="toggle"><input type="checkbox" id="camera-preview" checked /> show the camera frame</label>
      </section>
      <aside>
        <h2>Thresholds</h2>
        <div id="thresholds"><p class="muted">the model lists no learn block thresholds</p></div>
        <p id="threshold-status" role="status"></p>
        <h2>Recent results</h2>
        <table id="results">
          <thead>
            <tr><th>#</th><th>time</th><th>ms</th><th>result</th></tr>
          </thead>
          <tbody></tbody>
        </table>
      </aside>
    </main>
    <script src="/preview.js"></script>
  </body>
</html>
`;
