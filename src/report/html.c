/* The HTML report: one self-contained file (no network at view time). The findings are
 * embedded as hull.report/v1 JSON (with '<' escaped) in a <script type="application/json">
 * block; the embedded script renders the sortable, filterable table and the severity and
 * per-layer (size, wasted bytes) charts as inline SVG. The URL hash holds the view state
 * (#filter=HIGH,CRITICAL&kind=secret&q=text&sort=severity&dir=desc), so a view can be
 * linked and reloaded. The summary is plain HTML and needs no script. */
#include "render.h"
#include "../util/jsonw.h"

#include <string.h>

static const char css[] =
	":root { color-scheme: light; --fg: #1d232a; --muted: #5b6570; --line: #d8dde3; }\n"
	"body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: "
	"var(--fg);\n"
	"  margin: 0; background: #f6f7f9; }\n"
	"header { background: #1d232a; color: #fff; padding: 16px 24px; }\n"
	"header h1 { margin: 0; font-size: 20px; }\n"
	"header p { margin: 4px 0 0; color: #c9d1d9; word-break: break-all; }\n"
	"main { padding: 16px 24px; }\n"
	"section { background: #fff; border: 1px solid var(--line); border-radius: 6px;\n"
	"  padding: 12px 16px; margin-bottom: 16px; }\n"
	"h2 { font-size: 16px; margin: 0 0 8px; }\n"
	".cards { display: flex; flex-wrap: wrap; gap: 8px; }\n"
	".card { border-radius: 6px; padding: 8px 14px; min-width: 90px; color: #fff; }\n"
	".card b { display: block; font-size: 22px; }\n"
	".charts { display: flex; flex-wrap: wrap; gap: 16px; }\n"
	".charts > section { flex: 1 1 420px; }\n"
	"svg text { font-size: 12px; fill: var(--fg); }\n"
	"svg .sevbar { cursor: pointer; }\n"
	"svg .size { fill: #8fb3d9; }\n"
	"svg .wasted { fill: #d9534f; }\n"
	".sev-CRITICAL { background: #8b0000; fill: #8b0000; }\n"
	".sev-HIGH { background: #d9480f; fill: #d9480f; }\n"
	".sev-MEDIUM { background: #e0a800; fill: #e0a800; }\n"
	".sev-LOW { background: #2f80c0; fill: #2f80c0; }\n"
	".sev-UNKNOWN { background: #6c757d; fill: #6c757d; }\n"
	"td.sev { color: #fff; font-weight: 600; text-align: center; border-radius: 3px; }\n"
	".controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center;\n"
	"  margin-bottom: 8px; }\n"
	".sevbtn { border: 1px solid var(--line); background: #fff; border-radius: 4px;\n"
	"  padding: 3px 8px; cursor: pointer; }\n"
	".sevbtn[aria-pressed='true'] { background: #1d232a; color: #fff; }\n"
	"input[type=search] { padding: 4px 8px; min-width: 240px; }\n"
	"table { border-collapse: collapse; width: 100%; }\n"
	"th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line);\n"
	"  vertical-align: top; }\n"
	"th { cursor: pointer; user-select: none; background: #eef1f4; white-space: nowrap; }\n"
	"th[aria-sort='ascending']::after { content: ' \\25B2'; }\n"
	"th[aria-sort='descending']::after { content: ' \\25BC'; }\n"
	"td.c-message { word-break: break-word; }\n"
	"td.c-id, td.c-kind, td.c-installed, td.c-fixed { white-space: nowrap; }\n"
	".nopkg .c-package, .nopkg .c-installed, .nopkg .c-fixed,\n"
	".nopkg th[data-key=package], .nopkg th[data-key=installed],\n"
	".nopkg th[data-key=fixed] { display: none; }\n"
	"td.c-location { overflow-wrap: anywhere; }\n"
	"tr.base td { opacity: 0.75; }\n"
	".muted { color: var(--muted); }\n"
	"dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }\n"
	"dt { color: var(--muted); }\n"
	"dd { margin: 0; word-break: break-all; }\n";

static const char script[] =
	"(function () {\n"
	"  'use strict';\n"
	"  var data = JSON.parse(document.getElementById('hull-data').textContent);\n"
	"  var rep = data.report, layers = data.layers || [];\n"
	"  var SEVS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];\n"
	"  var RANK = {CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, UNKNOWN: 0};\n"
	"  var COLS = ['severity', 'kind', 'id', 'location', 'package', 'installed', 'fixed',\n"
	"    'message'];\n"
	"  var NS = 'http://www.w3.org/2000/svg';\n"
	"  function el(tag, attrs, text) {\n"
	"    var e = document.createElement(tag);\n"
	"    for (var k in attrs) e.setAttribute(k, attrs[k]);\n"
	"    if (text !== undefined && text !== null) e.textContent = text;\n"
	"    return e;\n"
	"  }\n"
	"  function svg(tag, attrs, text) {\n"
	"    var e = document.createElementNS(NS, tag);\n"
	"    for (var k in attrs) e.setAttribute(k, attrs[k]);\n"
	"    if (text !== undefined && text !== null) e.textContent = text;\n"
	"    return e;\n"
	"  }\n"
	"  function where(f) {\n"
	"    var p = (f.package && f.package.path) || f.path || '';\n"
	"    if (f.line) p += ':' + f.line;\n"
	"    if (f.object) {\n"
	"      p += ' (' + f.object.kind + '/' + f.object.name;\n"
	"      if (f.object.container) p += ' container ' + f.object.container;\n"
	"      p += ')';\n"
	"    }\n"
	"    return p;\n"
	"  }\n"
	"  var rows = rep.findings.map(function (f, i) {\n"
	"    return {i: i, severity: f.severity, kind: f.kind, id: f.id, location: where(f),\n"
	"      package: f.package ? f.package.name : '',\n"
	"      installed: f.package ? f.package.version : '',\n"
	"      fixed: f.fixed_version || '', message: f.message || f.title || '',\n"
	"      base: f.base === true};\n"
	"  });\n"
	"  var st = {sev: [], kind: '', q: '', sort: 'severity', desc: true};\n"
	"  function readHash() {\n"
	"    var h = location.hash.replace(/^#/, ''), dir = null;\n"
	"    st = {sev: [], kind: '', q: '', sort: 'severity', desc: true};\n"
	"    h.split('&').forEach(function (kv) {\n"
	"      var i = kv.indexOf('=');\n"
	"      if (i < 0) return;\n"
	"      var k = decodeURIComponent(kv.slice(0, i)), v = decodeURIComponent(kv.slice(i + "
	"1));\n"
	"      if (k === 'filter' || k === 'severity') {\n"
	"        st.sev = v.toUpperCase().split(',').filter(function (s) {\n"
	"          return SEVS.indexOf(s) >= 0;\n"
	"        });\n"
	"      } else if (k === 'sort' && COLS.indexOf(v) >= 0) {\n"
	"        st.sort = v;\n"
	"      } else if (k === 'dir') {\n"
	"        dir = v;\n"
	"      } else if (k === 'q') {\n"
	"        st.q = v;\n"
	"      } else if (k === 'kind') {\n"
	"        st.kind = v;\n"
	"      }\n"
	"    });\n"
	"    st.desc = dir ? dir === 'desc' : st.sort === 'severity';\n"
	"  }\n"
	"  function writeHash() {\n"
	"    var parts = [];\n"
	"    if (st.sev.length) parts.push('filter=' + st.sev.join(','));\n"
	"    if (st.kind) parts.push('kind=' + encodeURIComponent(st.kind));\n"
	"    if (st.q) parts.push('q=' + encodeURIComponent(st.q));\n"
	"    parts.push('sort=' + st.sort, 'dir=' + (st.desc ? 'desc' : 'asc'));\n"
	"    var h = '#' + parts.join('&');\n"
	"    if (location.hash !== h) {\n"
	"      try { history.replaceState(null, '', h); } catch (e) { /* file: may refuse */ }\n"
	"    }\n"
	"  }\n"
	"  function visible() {\n"
	"    var q = st.q.toLowerCase();\n"
	"    var out = rows.filter(function (r) {\n"
	"      if (st.sev.length && st.sev.indexOf(r.severity) < 0) return false;\n"
	"      if (st.kind && r.kind !== st.kind) return false;\n"
	"      if (!q) return true;\n"
	"      return COLS.map(function (c) { return r[c]; }).join(' ').toLowerCase().indexOf(q) "
	">= 0;\n"
	"    });\n"
	"    out.sort(function (a, b) {\n"
	"      var x = a[st.sort], y = b[st.sort];\n"
	"      if (st.sort === 'severity') {\n"
	"        x = RANK[x];\n"
	"        y = RANK[y];\n"
	"      } else {\n"
	"        x = String(x).toLowerCase();\n"
	"        y = String(y).toLowerCase();\n"
	"      }\n"
	"      var c = x < y ? -1 : x > y ? 1 : 0;\n"
	"      return (st.desc ? -c : c) || a.i - b.i;\n"
	"    });\n"
	"    return out;\n"
	"  }\n"
	"  function draw() {\n"
	"    var tb = document.querySelector('#findings tbody');\n"
	"    tb.textContent = '';\n"
	"    var v = visible();\n"
	"    v.forEach(function (r) {\n"
	"      var tr = el('tr', {'data-severity': r.severity, 'data-id': r.id, 'data-kind': "
	"r.kind});\n"
	"      if (r.base) tr.className = 'base';\n"
	"      COLS.forEach(function (c) {\n"
	"        var td = el('td', {'class': 'c-' + c}, r[c]);\n"
	"        if (c === 'severity') td.className += ' sev sev-' + r.severity;\n"
	"        tr.appendChild(td);\n"
	"      });\n"
	"      tb.appendChild(tr);\n"
	"    });\n"
	"    document.getElementById('count').textContent =\n"
	"      'Showing ' + v.length + ' of ' + rows.length + ' findings';\n"
	"    Array.prototype.forEach.call(document.querySelectorAll('#findings th'), function (th) "
	"{\n"
	"      var k = th.getAttribute('data-key');\n"
	"      th.setAttribute('aria-sort', k !== st.sort ? 'none' :\n"
	"        st.desc ? 'descending' : 'ascending');\n"
	"    });\n"
	"    Array.prototype.forEach.call(document.querySelectorAll('.sevbtn'), function (b) {\n"
	"      var on = st.sev.indexOf(b.getAttribute('data-sev')) >= 0;\n"
	"      b.setAttribute('aria-pressed', on ? 'true' : 'false');\n"
	"    });\n"
	"    document.getElementById('q').value = st.q;\n"
	"    document.getElementById('kind').value = st.kind;\n"
	"    writeHash();\n"
	"  }\n"
	"  function toggleSev(s) {\n"
	"    var i = st.sev.indexOf(s);\n"
	"    if (i >= 0) st.sev.splice(i, 1); else st.sev.push(s);\n"
	"    draw();\n"
	"  }\n"
	"  function sevChart() {\n"
	"    var n = {};\n"
	"    SEVS.forEach(function (s) { n[s] = 0; });\n"
	"    rows.forEach(function (r) { n[r.severity]++; });\n"
	"    var max = Math.max.apply(null, SEVS.map(function (s) { return n[s]; }).concat([1]));\n"
	"    var s = svg('svg', {width: 440, height: SEVS.length * 28 + 10, role: 'img',\n"
	"      'aria-label': 'Findings by severity', 'id': 'sevsvg'});\n"
	"    SEVS.forEach(function (name, i) {\n"
	"      var y = 5 + i * 28, w = Math.round(280 * n[name] / max);\n"
	"      var g = svg('g', {'class': 'sevbar', 'data-sev': name});\n"
	"      g.appendChild(svg('text', {x: 0, y: y + 15, 'class': 'lbl'}, name));\n"
	"      g.appendChild(svg('rect', {x: 90, y: y, width: n[name] ? Math.max(w, 2) : 0,\n"
	"        height: 20, 'class': 'bar sev-' + name}));\n"
	"      g.appendChild(svg('text', {x: 96 + w, y: y + 15, 'class': 'num'}, "
	"String(n[name])));\n"
	"      g.addEventListener('click', function () { toggleSev(name); });\n"
	"      s.appendChild(g);\n"
	"    });\n"
	"    document.getElementById('sevchart').appendChild(s);\n"
	"  }\n"
	"  function human(n) {\n"
	"    var u = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'], i = 0;\n"
	"    while (n >= 1000 && i < 5) { n /= 1000; i++; }\n"
	"    return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];\n"
	"  }\n"
	"  function layerChart() {\n"
	"    var box = document.getElementById('layerchart');\n"
	"    if (!layers.length) {\n"
	"      box.appendChild(el('p', {'class': 'muted'}, 'No image layers in this report.'));\n"
	"      return;\n"
	"    }\n"
	"    var max = Math.max.apply(null, layers.map(function (l) {\n"
	"      return l.uncompressed_size;\n"
	"    }).concat([1]));\n"
	"    var s = svg('svg', {width: 640, height: layers.length * 28 + 10, role: 'img',\n"
	"      'aria-label': 'Layer sizes and wasted bytes', 'id': 'layersvg'});\n"
	"    layers.forEach(function (l, i) {\n"
	"      var y = 5 + i * 28, w = Math.round(340 * l.uncompressed_size / max);\n"
	"      var ww = Math.min(w, Math.round(340 * l.wasted_bytes / max));\n"
	"      var g = svg('g', {'class': 'layer'});\n"
	"      g.appendChild(svg('title', {}, '#' + i + ' ' + (l.created_by || l.digest || '')));\n"
	"      g.appendChild(svg('text', {x: 0, y: y + 15, 'class': 'lbl'}, '#' + i));\n"
	"      g.appendChild(svg('rect', {x: 40, y: y, width: Math.max(w, 1), height: 20,\n"
	"        'class': 'size'}));\n"
	"      if (ww) {\n"
	"        g.appendChild(svg('rect', {x: 40, y: y, width: ww, height: 20,\n"
	"          'class': 'wasted'}));\n"
	"      }\n"
	"      var t = human(l.uncompressed_size);\n"
	"      if (l.wasted_bytes) t += ', ' + human(l.wasted_bytes) + ' wasted';\n"
	"      g.appendChild(svg('text', {x: 46 + w, y: y + 15, 'class': 'num'}, t));\n"
	"      s.appendChild(g);\n"
	"    });\n"
	"    box.appendChild(s);\n"
	"  }\n"
	"  function setup() {\n"
	"    var kinds = {};\n"
	"    rows.forEach(function (r) { kinds[r.kind] = true; });\n"
	"    if (!rows.some(function (r) { return r.package; })) {\n"
	"      document.querySelector('#findings table').className = 'nopkg';\n"
	"    }\n"
	"    var sel = document.getElementById('kind');\n"
	"    Object.keys(kinds).sort().forEach(function (k) {\n"
	"      sel.appendChild(el('option', {value: k}, k));\n"
	"    });\n"
	"    sel.addEventListener('change', function () { st.kind = sel.value; draw(); });\n"
	"    var q = document.getElementById('q');\n"
	"    q.addEventListener('input', function () { st.q = q.value; draw(); });\n"
	"    Array.prototype.forEach.call(document.querySelectorAll('.sevbtn'), function (b) {\n"
	"      b.addEventListener('click', function () { toggleSev(b.getAttribute('data-sev')); "
	"});\n"
	"    });\n"
	"    Array.prototype.forEach.call(document.querySelectorAll('#findings th'), function (th) "
	"{\n"
	"      th.addEventListener('click', function () {\n"
	"        var k = th.getAttribute('data-key');\n"
	"        if (st.sort === k) st.desc = !st.desc;\n"
	"        else { st.sort = k; st.desc = k === 'severity'; }\n"
	"        draw();\n"
	"      });\n"
	"    });\n"
	"    window.addEventListener('hashchange', function () { readHash(); draw(); });\n"
	"  }\n"
	"  readHash();\n"
	"  setup();\n"
	"  sevChart();\n"
	"  layerChart();\n"
	"  draw();\n"
	"  document.body.setAttribute('data-ready', 'true');\n"
	"})();\n";

static json_t *history_for_layer(const struct hull_inspect *in, size_t layer)
{
	json_t *hist = in->img->config ? json_object_get(in->img->config, "history") : NULL;
	size_t i, li = 0;
	json_t *h;
	json_array_foreach(hist, i, h)
	{
		if (json_is_true(json_object_get(h, "empty_layer")))
			continue;
		if (li++ == layer)
			return h;
	}
	return NULL;
}

/* Per layer: digest, the instruction that made it, sizes and wasted bytes. Nothing from
 * the image config beyond that (its Env may hold the very secrets the report masks). */
static void json_layers(struct jsonw *w, const struct hull_inspect *in)
{
	jsonw_arr_begin(w, "layers");
	bool rootfs = !in || in->img->transport == HULL_SRC_ROOTFS;
	for (size_t i = 0; !rootfs && i < in->nlayers; i++) {
		json_t *h = history_for_layer(in, i);
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "digest", in->img->layers[i].digest);
		jsonw_str(w, "created_by", json_string_value(json_object_get(h, "created_by")));
		jsonw_u64(w, "size", in->layers[i].size);
		jsonw_u64(w, "uncompressed_size", in->layers[i].uncompressed_size);
		jsonw_u64(w, "wasted_bytes", in->fs->layers[i].wasted);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

/* JSON for a <script> element: '<' only occurs inside strings, where \u003c means the
 * same, so "</script" and "<!--" cannot appear. */
static void add_script_json(struct strbuf *out, const char *json, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (json[i] == '<')
			strbuf_adds(out, "\\u003c");
		else
			strbuf_addch(out, json[i]);
	}
}

static void summary(struct strbuf *out, const struct hull_findings *l,
		    const struct hull_report_meta *m, const struct hull_render_opts *o)
{
	size_t counts[HULL_SEV_COUNT] = {0};
	for (size_t i = 0; i < l->n; i++)
		counts[(unsigned)l->v[i].severity < HULL_SEV_COUNT ? l->v[i].severity : 0]++;
	strbuf_adds(out, "<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">");
	for (int s = HULL_SEV_CRITICAL; s >= HULL_SEV_UNKNOWN; s--) {
		const char *name = hull_severity_name((enum hull_severity)s);
		strbuf_addf(out, "<div class=\"card sev-%s\" data-sev=\"%s\"><b>%zu</b>%s</div>",
			    name, name, counts[s], name);
	}
	strbuf_addf(out, "</div>\n<p id=\"total\">%zu finding%s</p>\n<dl>", l->n,
		    l->n == 1 ? "" : "s");
	strbuf_adds(out, "<dt>Artifact</dt><dd>");
	strbuf_add_xml_escaped(out, m->artifact_name);
	strbuf_adds(out, "</dd><dt>Type</dt><dd>");
	strbuf_add_xml_escaped(out, m->artifact_type);
	strbuf_adds(out, "</dd>");
	if (m->digest) {
		strbuf_adds(out, "<dt>Digest</dt><dd>");
		strbuf_add_xml_escaped(out, m->digest);
		strbuf_adds(out, "</dd>");
	}
	if (m->os_family) {
		strbuf_adds(out, "<dt>OS</dt><dd>");
		strbuf_add_xml_escaped(out, m->os_family);
		strbuf_addch(out, ' ');
		strbuf_add_xml_escaped(out, m->os_version);
		strbuf_adds(out, "</dd>");
	}
	if (o->in && o->in->img->transport != HULL_SRC_ROOTFS) {
		uint64_t size = 0, usize = 0;
		for (size_t i = 0; i < o->in->nlayers; i++) {
			size += o->in->layers[i].size;
			usize += o->in->layers[i].uncompressed_size;
		}
		char a[32], b[32], c[32];
		hull_human_size(size, a, sizeof(a));
		hull_human_size(usize, b, sizeof(b));
		hull_human_size(o->in->fs->wasted_bytes, c, sizeof(c));
		strbuf_addf(out,
			    "<dt>Layers</dt><dd>%zu</dd><dt>Size</dt><dd>%s (%s unpacked)</dd>"
			    "<dt>Wasted</dt><dd>%s (efficiency %.2f %%)</dd>",
			    o->in->nlayers, a, b, c, o->in->fs->efficiency * 100.0);
	}
	strbuf_addf(out, "<dt>Tool</dt><dd>hull ");
	strbuf_add_xml_escaped(out, m->tool_version);
	strbuf_adds(out, "</dd></dl></section>\n");
}

static void findings_section(struct strbuf *out)
{
	static const char *const cols[][2] = {
		{"severity", "Severity"}, {"kind", "Kind"},	  {"id", "ID"},
		{"location", "Location"}, {"package", "Package"}, {"installed", "Installed"},
		{"fixed", "Fixed"},	  {"message", "Message"},
	};
	strbuf_adds(out, "<section id=\"findings\"><h2>Findings</h2>\n<div class=\"controls\">"
			 "<input id=\"q\" type=\"search\" placeholder=\"Filter text\" "
			 "aria-label=\"Filter text\">");
	for (int s = HULL_SEV_CRITICAL; s >= HULL_SEV_UNKNOWN; s--) {
		const char *name = hull_severity_name((enum hull_severity)s);
		strbuf_addf(out,
			    "<button type=\"button\" class=\"sevbtn\" data-sev=\"%s\" "
			    "aria-pressed=\"false\">%s</button>",
			    name, name);
	}
	strbuf_adds(out, "<select id=\"kind\" aria-label=\"Kind\"><option value=\"\">all kinds"
			 "</option></select></div>\n<table><thead><tr>");
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		strbuf_addf(out, "<th data-key=\"%s\" aria-sort=\"none\">%s</th>", cols[i][0],
			    cols[i][1]);
	strbuf_adds(out, "</tr></thead><tbody></tbody></table>\n<p id=\"count\" "
			 "class=\"muted\"></p>\n<noscript><p>The findings table and the charts "
			 "need JavaScript; the findings are in the hull-data block of this file "
			 "(hull.report/v1 JSON).</p></noscript></section>\n");
}

void hull_report_render_html(const struct hull_findings *l, const struct hull_report_meta *m,
			     const struct hull_render_opts *o, struct strbuf *out)
{
	strbuf_adds(out,
		    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
		    "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
		    "<title>hull report: ");
	strbuf_add_xml_escaped(out, m->artifact_name);
	strbuf_addf(out,
		    "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>hull "
		    "report</h1><p>",
		    css);
	strbuf_add_xml_escaped(out, m->artifact_name);
	strbuf_adds(out, "</p></header>\n<main>\n");
	summary(out, l, m, o);
	if (m->nexpired) {
		strbuf_adds(out, "<section id=\"expired\"><h2>Expired ignore entries</h2>"
				 "<p class=\"muted\">These entries of the ignore file no longer "
				 "apply: renew or remove them.</p><ul>");
		struct strbuf line = STRBUF_INIT;
		for (size_t i = 0; i < m->nexpired; i++) {
			strbuf_reset(&line);
			hull_expired_ignore_describe(&m->expired[i], &line);
			strbuf_adds(out, "<li>");
			strbuf_add_xml_escaped(out, line.buf);
			strbuf_adds(out, "</li>");
		}
		strbuf_release(&line);
		strbuf_adds(out, "</ul></section>\n");
	}
	strbuf_adds(out, "<div class=\"charts\"><section><h2>Findings by severity</h2>"
			 "<div id=\"sevchart\"></div></section><section><h2>Layers: size and "
			 "wasted bytes</h2><div id=\"layerchart\"></div></section></div>\n");
	findings_section(out);
	strbuf_adds(out, "</main>\n<script type=\"application/json\" id=\"hull-data\">"
			 "{\"report\":");
	struct strbuf json = STRBUF_INIT;
	hull_findings_render_json(l, m, &json);
	while (json.len && json.buf[json.len - 1] == '\n')
		json.buf[--json.len] = '\0';
	add_script_json(out, json.buf, json.len);
	strbuf_reset(&json);
	struct jsonw w;
	jsonw_init(&w, &json);
	jsonw_obj_begin(&w, NULL);
	json_layers(&w, o->in);
	jsonw_obj_end(&w);
	/* {"layers":[…]} spliced in as a second member. */
	strbuf_addch(out, ',');
	add_script_json(out, json.buf + 1, json.len - 1);
	strbuf_release(&json);
	strbuf_addf(out, "</script>\n<script>\n%s</script>\n</body>\n</html>\n", script);
}
