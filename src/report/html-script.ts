/**
 * The HTML report's only script, inlined (no network) and allowed by its
 * SHA-256 in the page's Content-Security-Policy. It filters every findings
 * table by text, severity and layer, and sorts a table when a header is
 * clicked. Rows are rendered by the server; the script only hides and
 * reorders them, so the report reads fine with scripts off.
 *
 * Filters: the text filter matches a row's text (case-insensitive); the
 * severity filter keeps rows whose data-sev equals it (rows without a
 * severity, licences, are not hidden by it); the layer filter keeps rows
 * whose data-layer equals the chosen layer index (rows without a layer are
 * hidden while a layer is chosen). Sort: a cell's data-k when present
 * (numbers compare as numbers), else its text; a second click reverses.
 */
export const HTML_SCRIPT = `(function () {
  'use strict';
  var state = { q: '', sev: '', layer: '' };
  var q = document.getElementById('filter-text');
  var sev = document.getElementById('filter-sev');
  var layerLabel = document.getElementById('filter-layer');
  var tables = Array.prototype.slice.call(document.querySelectorAll('table.findings'));
  var layerButtons = Array.prototype.slice.call(document.querySelectorAll('button[data-layer]'));

  function apply() {
    var needle = state.q.trim().toLowerCase();
    tables.forEach(function (t) {
      var rows = t.tBodies[0] ? t.tBodies[0].rows : [];
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        var ok = (needle === '' || r.textContent.toLowerCase().indexOf(needle) >= 0) &&
          (state.sev === '' || !r.hasAttribute('data-sev') || r.getAttribute('data-sev') === state.sev) &&
          (state.layer === '' || r.getAttribute('data-layer') === state.layer);
        r.hidden = !ok;
        if (ok) shown++;
      }
      var count = document.getElementById(t.id + '-shown');
      if (count) count.textContent = String(shown);
    });
    layerButtons.forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-layer') === state.layer ? 'true' : 'false');
    });
    if (layerLabel) layerLabel.textContent = state.layer === '' ? 'all layers' : 'layer L' + state.layer;
  }

  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) return '';
    return cell.hasAttribute('data-k') ? cell.getAttribute('data-k') : cell.textContent.trim();
  }

  function compare(a, b) {
    var na = Number(a), nb = Number(b);
    if (a !== '' && b !== '' && !isNaN(na) && !isNaN(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) { return dir * compare(key(x, col), key(y, col)); });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  tables.forEach(function (t) {
    if (!t.tHead) return;
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, col) {
      var b = th.querySelector('button');
      if (b) b.addEventListener('click', function () { sortBy(t, col, th); });
    });
  });
  if (q) q.addEventListener('input', function () { state.q = q.value; apply(); });
  if (sev) sev.addEventListener('change', function () { state.sev = sev.value; apply(); });
  layerButtons.forEach(function (b) {
    b.addEventListener('click', function () {
      var l = b.getAttribute('data-layer') || '';
      state.layer = state.layer === l ? '' : l;
      apply();
    });
  });
  var clear = document.getElementById('filter-clear');
  if (clear) clear.addEventListener('click', function () {
    state = { q: '', sev: '', layer: '' };
    if (q) q.value = '';
    if (sev) sev.value = '';
    apply();
  });
  apply();
})();
`;
