/**
 * The web app's only stylesheet and script, served from /assets. Kept as strings in code so the build
 * (tsc) ships them without a copy step. Every page works without the script; it adds draft autosave on
 * forms marked `data-autosave`, live countdowns on `time[data-countdown]`, focus on the error summary, and
 * reads a chosen file into a textarea (`input[type=file][data-read-into]`). The focus ring's colour stands
 * out 3:1 from the white page, its grey edge and the dark header alike (WCAG 2.1 1.4.11; test/web-a11y.spec.ts
 * measures it on each control Tab reaches).
 */

export const APP_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2328;background:#f6f8fa}
body{margin:0}
a{color:#0a58ca}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:8px}
.skip:focus{left:8px;z-index:10}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:8px 16px;background:#1f2328;color:#fff}
header.top a{color:#fff}
header.top .brand{font-weight:700;text-decoration:none;font-size:1.1rem}
header.top nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}
header.top nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
header.top .who{margin-left:auto;display:flex;gap:12px;align-items:center;font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:16px;background:#fff;min-height:60vh}
h1{font-size:1.5rem;margin:0 0 16px}
h2{font-size:1.2rem;margin:24px 0 8px}
h3{font-size:1.05rem;margin:16px 0 8px}
table{border-collapse:collapse;width:100%;margin:0 0 16px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d0d7de;vertical-align:top}
.table-wrap{overflow-x:auto}
form{margin:0 0 16px}
form.inline{display:inline;margin:0}
.field{margin:0 0 12px}
.field label{display:block;font-weight:600;margin:0 0 4px}
.field .hint{display:block;color:#57606a;font-size:.9rem;margin:0 0 4px}
input,select,textarea,button{font:inherit}
input[type=text],input[type=email],input[type=date],input[type=time],input[type=number],input[type=url],input[type=password],select,textarea{width:100%;max-width:32rem;padding:8px;border:1px solid #8c959f;border-radius:4px;background:#fff}
textarea{min-height:6rem}
.has-error input,.has-error select,.has-error textarea{border:2px solid #cf222e}
.field-error{color:#cf222e;font-weight:600;margin:4px 0 0}
button{padding:8px 14px;border:1px solid #1f6feb;border-radius:4px;background:#1f6feb;color:#fff;cursor:pointer;min-height:40px}
button.secondary{background:#fff;color:#1f6feb}
button.danger{background:#fff;color:#cf222e;border-color:#cf222e}
button.link{background:none;border:none;color:inherit;text-decoration:underline;padding:0;min-height:0}
.error-summary{border:3px solid #cf222e;padding:8px 16px;margin:0 0 16px}
.error-summary h2{margin:0 0 8px;font-size:1.1rem}
.notice{border-left:6px solid #1a7f37;background:#dafbe1;padding:8px 16px;margin:0 0 16px}
.rep-notice{border-left:6px solid #0a58ca;background:#ddf4ff;padding:8px 16px;margin:0 0 16px}
.rep-notice h2{margin:4px 0 8px}
.muted{color:#57606a}
.badge{display:inline-block;padding:0 6px;border-radius:10px;background:#ddf4ff;font-size:.85rem}
.badge.late{background:#ffebe9;color:#82071e}
.week{display:grid;grid-template-columns:repeat(7,minmax(9rem,1fr));gap:8px;overflow-x:auto}
.day h3{margin:0 0 8px;font-size:1rem}
.day ul{list-style:none;margin:0;padding:0}
.day li{margin:0 0 6px}
.day li button{width:100%;text-align:left}
.day li.booked{border-left:4px solid #1a7f37;padding-left:6px}
.day .empty{color:#57606a;font-size:.9rem}
.progress{width:100%;max-width:24rem;height:1rem}
.filters{display:flex;flex-wrap:wrap;gap:0 16px;align-items:flex-end}
.filters .field{min-width:10rem}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
fieldset{border:1px solid #d0d7de;border-radius:4px;margin:0 0 12px;padding:8px 12px}
legend{font-weight:600}
dl.facts{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:8px 0}
dl.facts dt{color:#57606a}
dl.facts dd{margin:0;overflow-wrap:anywhere}
@media (max-width:40rem){
  main{padding:12px}
  .week{grid-template-columns:1fr}
  header.top .who{margin-left:0}
  th,td{padding:4px}
}
`;

export const APP_JS = `
(function () {
  'use strict';
  // Focus the error summary so keyboard and screen-reader users land on what to fix.
  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();

  // Countdowns: <time data-countdown datetime="ISO">text</time>
  function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll('time[data-countdown]').forEach(function (el) {
      var due = Date.parse(el.getAttribute('datetime'));
      if (isNaN(due)) return;
      var mins = Math.round((due - now) / 60000);
      var late = mins < 0;
      var m = Math.abs(mins);
      var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), r = m % 60;
      var parts = d ? [plural(d, 'day'), plural(h, 'hour')] : h ? [plural(h, 'hour'), plural(r, 'minute')] : [plural(r, 'minute')];
      el.textContent = late ? 'overdue by ' + parts.join(' ') : 'due in ' + parts.join(' ');
      el.classList.toggle('late', late);
    });
  }
  tick();
  setInterval(tick, 30000);

  // Drafts saved as you type: <form data-autosave="/url"> posts its fields (with the CSRF token) after a pause.
  document.querySelectorAll('form[data-autosave]').forEach(function (form) {
    var status = form.querySelector('[data-save-status]');
    var timer = null, saving = false, again = false;
    function save() {
      if (saving) { again = true; return; }
      saving = true;
      if (status) status.textContent = 'Saving draft…';
      var body = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute('data-autosave'), {
        method: 'POST', body: body, credentials: 'same-origin',
        headers: { 'Accept': 'application/json', 'X-CSRF-Token': body.get('_csrf') || '' }
      }).then(function (r) {
        if (status) status.textContent = r.ok ? 'Draft saved at ' + new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : 'Draft not saved (' + r.status + ')';
      }).catch(function () {
        if (status) status.textContent = 'Draft not saved: offline?';
      }).then(function () {
        saving = false;
        if (again) { again = false; save(); }
      });
    }
    form.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(save, 700);
    });
  });

  // A file chosen in <input type="file" data-read-into="id" hidden> is read as text into that textarea
  // (the form posts the textarea; without the script the page offers the textarea alone).
  document.querySelectorAll('input[type=file][data-read-into]').forEach(function (input) {
    var target = document.getElementById(input.getAttribute('data-read-into'));
    if (!target || !window.FileReader) return;
    input.hidden = false;
    if (input.parentElement) input.parentElement.hidden = false;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () { target.value = String(reader.result); };
      reader.readAsText(file);
    });
  });
})();
`;
