/**
 * The reference page at GET /api/openapi/v1/docs: one self-contained HTML page that fetches
 * the OpenAPI document beside it and lists every operation with its payload fields (per
 * payload `method`), the schema of its answer and the error codes it may answer. No framework, no CDN: it renders offline.
 */
const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 980px; padding: 1rem 1.5rem; color: #1f2328; }
h1 { margin-bottom: 0; } h2 { margin-top: 2rem; font-size: 1.1rem; border-top: 1px solid #d0d7de; padding-top: 1rem; }
code, pre { font: 13px/1.4 ui-monospace, monospace; } pre { background: #f6f8fa; padding: .75rem; overflow: auto; }
.verb { display: inline-block; min-width: 3.5rem; font-weight: 700; color: #0969da; } .put { color: #9a6700; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.required { font-weight: 600; } nav a { display: block; } #intro { white-space: pre-wrap; }
`;

const SCRIPT = `
const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const rule = (schema) => [schema.const !== undefined ? 'exactly ' + schema.const : '', schema.enum ? 'one of ' + schema.enum.join(', ') : '',
  schema.pattern ? 'pattern ' + schema.pattern : '', schema.format || '', schema.description || ''].filter(Boolean).join('; ');
function fieldsTable(schema) {
  const required = new Set(schema.required || []);
  const rows = Object.entries(schema.properties || {}).map(([name, field]) =>
    '<tr><td class="' + (required.has(name) ? 'required' : '') + '"><code>' + escape(name) + '</code></td><td>' + (required.has(name) ? 'required' : 'optional') + '</td><td>' + escape(rule(field)) + '</td></tr>');
  return '<table><tr><th>field</th><th></th><th>value</th></tr>' + rows.join('') + '</table>';
}
function payload(operation) {
  const body = operation.requestBody && operation.requestBody.content['application/json'].schema.properties.payload.contentSchema;
  if (!body) return '<p>No payload: the headers alone.</p>';
  const variants = body.oneOf || [body];
  return variants.map((variant) => (variant.properties.method ? '<h3><code>method</code> = <code>' + escape(variant.properties.method.const) + '</code></h3>' : '<h3>Payload fields</h3>') + fieldsTable(variant)).join('');
}
function success(operation) {
  const schema = operation.responses[200].content['application/json'].schema;
  return schema.oneOf ? schema.oneOf[0] : schema;
}
const failureOf = (schema) => (schema.oneOf ? schema.oneOf[1] : schema.allOf ? schema : undefined);
function errorCodes(operation) {
  const rows = Object.entries(operation.responses).map(([status, response]) => [status, failureOf(response.content['application/json'].schema)])
    .filter(([, failure]) => failure).map(([status, failure]) => '<tr><td>' + escape(status) + '</td><td>' + escape(failure.allOf[1].properties.code.enum.join(', ')) + '</td></tr>');
  return '<h3>Error codes</h3><table><tr><th>HTTP</th><th>code (the table above says what each means)</th></tr>' + rows.join('') + '</table>';
}
function render(doc) {
  document.title = doc.info.title;
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version + ' (OpenAPI ' + doc.openapi + ')';
  document.getElementById('intro').textContent = doc.info.description;
  const nav = [], sections = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [verb, operation] of Object.entries(operations)) {
      const id = operation.operationId;
      nav.push('<a href="#' + id + '"><span class="verb ' + verb + '">' + verb.toUpperCase() + '</span><code>' + escape(path) + '</code> ' + escape(operation.summary) + '</a>');
      const params = (operation.parameters || []).map((p) => '<code>{' + escape(p.name) + '}</code> ' + escape(rule(p.schema))).join('<br>');
      sections.push('<section id="' + id + '"><h2><span class="verb ' + verb + '">' + verb.toUpperCase() + '</span><code>' + escape(path) + '</code></h2><p>' + escape(operation.summary) + '</p>' +
        (params ? '<p>Path: ' + params + '</p>' : '') + payload(operation) + errorCodes(operation) +
        '<details><summary>Answer (success envelope)</summary><pre>' + escape(JSON.stringify(success(operation), null, 2)) + '</pre></details></section>');
    }
  }
  document.getElementById('operations').innerHTML = '<nav>' + nav.join('') + '</nav>' + sections.join('');
}
fetch('openapi.json').then((response) => response.json()).then(render, (error) => {
  document.getElementById('operations').textContent = 'Cannot load openapi.json: ' + error.message;
});
`;

export const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>vendcloud Open API</title><style>${STYLE}</style></head>
<body>
<h1 id="title">vendcloud Open API</h1>
<p>The machine-readable document: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<div id="intro"></div>
<div id="operations">Loading…</div>
<script>${SCRIPT}</script>
</body>
</html>
`;
