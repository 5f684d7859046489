/**
 * The preview page's script (plain browser JavaScript, no framework): follows the runner's WebSocket at `/` (the
 * original runner's messages), draws the newest result over the newest frame, lists recent results, and edits
 * the model's learn block thresholds. What is drawn is also in the DOM (`#stage` data attributes, `.box`
 * elements with `data-label`), for tests and for people reading the page's source.
 */
export const PREVIEW_SCRIPT = String.raw`'use strict';
(function () {
  var MAX_ROWS = 20;
  var RETRY_MS = 2000;
  var model = { width: 1, height: 1, type: '', thresholds: [] };
  var count = 0;
  var frames = 0;
  var drawn;
  var nextMessageId = 1;
  var answers = {};
  var socket;

  function byId(id) {
    return document.getElementById(id);
  }

  function element(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function setConnection(state, text) {
    var c = byId('connection');
    c.dataset.state = state;
    c.textContent = text;
  }

  function connect() {
    socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
    setConnection('connecting', 'connecting…');
    socket.onopen = function () {
      setConnection('open', 'live');
      sendPreviewWanted();
    };
    socket.onclose = function (event) {
      setConnection('closed', 'disconnected' + (event.reason ? ' (' + event.reason + ')' : '') + '; retrying…');
      setTimeout(connect, RETRY_MS);
    };
    socket.onmessage = function (event) {
      handle(JSON.parse(event.data));
    };
  }

  function request(body, onAnswer) {
    body.messageId = nextMessageId++;
    answers[body.messageId] = onAnswer;
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(body));
  }

  function sendPreviewWanted() {
    var enabled = byId('camera-preview').checked;
    if (!enabled) {
      byId('frame').hidden = true;
      byId('no-frame').hidden = false;
      byId('no-frame').textContent = 'camera frame off';
    }
    request({ type: 'set-camera-preview', enabled: enabled }, function () {});
  }

  function handle(message) {
    if (message.type === 'hello') hello(message);
    else if (message.type === 'classification') classification(message);
    else if (message.type === 'camera-preview') frame(message);
    else if (message.type === 'handling-message-success' || message.type === 'handling-message-error') {
      var onAnswer = answers[message.messageId];
      delete answers[message.messageId];
      if (onAnswer) onAnswer(message);
    }
  }

  function hello(message) {
    var parameters = message.modelParameters || {};
    var project = message.project || {};
    model.width = parameters.image_input_width || 1;
    model.height = parameters.image_input_height || 1;
    model.type = parameters.model_type || '';
    model.thresholds = parameters.thresholds || [];
    var name = project.owner ? project.owner + ' / ' + project.name : project.name || 'model';
    byId('project').textContent = 'Live preview · ' + name + (project.deploy_version ? ' (v' + project.deploy_version + ')' : '');
    byId('stage').style.aspectRatio = model.width + ' / ' + model.height;
    renderThresholds();
  }

  function showingFrames() {
    return byId('camera-preview').checked && !byId('frame').hidden;
  }

  /** A frame and the result found in it (the original runner sends the image only: then the newest result). */
  function frame(message) {
    if (!byId('camera-preview').checked) return;
    frames++;
    var img = byId('frame');
    img.src = message.image;
    img.hidden = false;
    byId('no-frame').hidden = true;
    if (message.result) draw(message.result, 'frame-' + frames);
  }

  function percent(value, whole) {
    return (100 * value) / whole + '%';
  }

  /**
   * The pixels results are in: the frame's (the model input, or the frame as captured with the runner's
   * original resolution option, whose results are in its pixels too), else the model input's.
   */
  function reference() {
    var img = byId('frame');
    return img.naturalWidth > 0 ? { width: img.naturalWidth, height: img.naturalHeight } : model;
  }

  function place(e, b) {
    var r = reference();
    e.style.left = percent(b.x, r.width);
    e.style.top = percent(b.y, r.height);
    e.style.width = percent(b.width, r.width);
    e.style.height = percent(b.height, r.height);
    return e;
  }

  function score(value) {
    return typeof value === 'number' ? value.toFixed(2) : String(value);
  }

  function box(b) {
    var e = place(element('div', 'box'), b);
    e.dataset.label = b.label;
    e.dataset.score = String(b.value);
    e.appendChild(element('span', '', b.label + ' ' + score(b.value)));
    return e;
  }

  /** FOMO models find objects' centres: a dot, not a box. */
  function centroid(b) {
    var r = reference();
    var e = element('div', 'centroid');
    e.style.left = percent(b.x + b.width / 2, r.width);
    e.style.top = percent(b.y + b.height / 2, r.height);
    e.dataset.label = b.label;
    e.dataset.score = String(b.value);
    e.appendChild(element('span', '', b.label + ' ' + score(b.value)));
    return e;
  }

  function cell(c) {
    var e = place(element('div', 'cell', score(c.value)), c);
    e.dataset.score = String(c.value);
    return e;
  }

  function describe(result) {
    var parts = [];
    if (result.classification) {
      var entries = Object.keys(result.classification).map(function (k) {
        return [k, result.classification[k]];
      });
      entries.sort(function (a, b) {
        return b[1] - a[1];
      });
      parts.push(entries.map(function (e) { return e[0] + ' ' + score(e[1]); }).join(', '));
    }
    if (result.bounding_boxes) {
      parts.push(
        result.bounding_boxes.length === 0
          ? 'no objects'
          : result.bounding_boxes.map(function (b) { return b.label + ' ' + score(b.value); }).join(', '),
      );
    }
    if (typeof result.anomaly === 'number') parts.push('anomaly ' + score(result.anomaly));
    if (typeof result.visual_anomaly_max === 'number') parts.push('anomaly max ' + score(result.visual_anomaly_max));
    if (result.freeform) parts.push('freeform ' + JSON.stringify(result.freeform));
    return parts.join(' · ') || JSON.stringify(result);
  }

  /** Draws a result's boxes, centroids and anomaly cells; what is drawn is also in #stage's data attributes. */
  function draw(result, index) {
    drawn = { result: result, index: index };
    var boxes = result.bounding_boxes || [];
    var overlay = byId('overlay');
    overlay.textContent = '';
    var fomo = model.type === 'constrained_object_detection';
    boxes.forEach(function (b) {
      overlay.appendChild(fomo ? centroid(b) : box(b));
    });
    (result.visual_anomaly_grid || []).forEach(function (c) {
      overlay.appendChild(cell(c));
    });
    var stage = byId('stage');
    stage.dataset.boxCount = String(boxes.length);
    stage.dataset.labels = boxes.map(function (b) { return b.label; }).sort().join(',');
    stage.dataset.drawn = index;
  }

  /** Each result: the summary and the table; drawn too when no frame is shown (else with its frame). */
  function classification(message) {
    var result = message.result || {};
    count++;
    byId('stage').dataset.resultIndex = String(count);
    if (!showingFrames()) draw(result, 'result-' + count);
    var text = describe(result);
    var ms = typeof message.timeMs === 'number' ? message.timeMs.toFixed(1) : '?';
    byId('summary').textContent = text + ' · ' + ms + ' ms';
    var row = element('tr');
    row.appendChild(element('td', '', String(count)));
    row.appendChild(element('td', '', new Date().toLocaleTimeString()));
    row.appendChild(element('td', '', ms));
    row.appendChild(element('td', '', text));
    var body = byId('results').tBodies[0];
    body.insertBefore(row, body.firstChild);
    while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
  }

  function renderThresholds() {
    var list = byId('thresholds');
    list.textContent = '';
    model.thresholds.forEach(function (block) {
      Object.keys(block).forEach(function (key) {
        if (key === 'id' || key === 'type' || typeof block[key] !== 'number') return;
        var form = element('form', 'threshold');
        var label = element('label', '', 'block ' + block.id + ' (' + block.type + ') ' + key);
        var input = element('input');
        input.type = 'number';
        input.step = 'any';
        input.value = String(block[key]);
        input.id = 'threshold-' + block.id + '-' + key;
        input.dataset.block = String(block.id);
        input.dataset.key = key;
        label.htmlFor = input.id;
        form.appendChild(label);
        form.appendChild(input);
        form.appendChild(element('button', '', 'Set'));
        form.addEventListener('submit', function (event) {
          event.preventDefault();
          setThreshold(input);
        });
        list.appendChild(form);
      });
    });
    if (!list.firstChild) list.appendChild(element('p', 'muted', 'the model lists no learn block thresholds'));
  }

  function setThreshold(input) {
    var status = byId('threshold-status');
    var id = Number(input.dataset.block);
    var key = input.dataset.key;
    // An empty field is sent as null, for the runner to say what it wants.
    var value = input.value.trim() === '' ? null : Number(input.value);
    status.dataset.state = 'pending';
    status.textContent = 'setting ' + key + ' of block ' + id + ' to ' + value + '…';
    request({ type: 'threshold-override', id: id, key: key, value: value }, function (answer) {
      var ok = answer.type === 'handling-message-success';
      status.dataset.state = ok ? 'ok' : 'error';
      status.textContent = ok ? key + ' of block ' + id + ' is now ' + value : answer.error;
    });
  }

  // A frame of another size (first frame, a camera that changed): the stage takes its shape, boxes follow.
  byId('frame').addEventListener('load', function () {
    var img = byId('frame');
    byId('stage').style.aspectRatio = img.naturalWidth + ' / ' + img.naturalHeight;
    if (drawn) draw(drawn.result, drawn.index);
  });
  byId('camera-preview').addEventListener('change', sendPreviewWanted);
  connect();
})();
`;
