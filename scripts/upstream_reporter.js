// Summarise a jest --json results file for scripts/upstream-tests.
// Usage: node upstream_reporter.js RESULTS REQUIRE REQUIRE_ALL_EXCEPT JSON_OUT FILE...
//   REQUIRE "FILE=N,FILE=N" or "", REQUIRE_ALL_EXCEPT "FILE,FILE" or "", JSON_OUT path or "".
// Prints a per-file table and the failing tests; exits 0 when the requirements
// hold (default requirement: every test run passes), 1 otherwise, 2 on bad input.
'use strict';
const fs = require('fs');
const path = require('path');

const [resultsFile, requireSpec, allExceptSpec, jsonOut, ...files] = process.argv.slice(2);
const MAX_LINES = 6; // lines of each failure message to show

const stripAnsi = (s) => String(s).replace(/\x1b\[[0-9;]*m/g, '');
// First meaningful lines of a failure: no stack frames, no blank lines.
const firstLines = (msg) => stripAnsi(msg).split('\n')
	.filter((l) => l.trim() && !/^\s*at /.test(l))
	.slice(0, MAX_LINES)
	.map((l) => (l.length > 200 ? l.slice(0, 200) + '…' : l));
const bad = (msg) => { console.error(`upstream-tests: ${msg}`); process.exit(2); };
const normName = (f) => { f = path.basename(f.trim()); return f.endsWith('.js') ? f : f + '.js'; };

const jest = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));

// Per-file results, in the order the files were requested.
const perFile = {};
for (const f of files)
	perFile[f] = { passed: 0, failed: 0, total: 0, error: 'not run', failures: [] };
for (const suite of jest.testResults) {
	const r = perFile[path.basename(suite.name)] = { passed: 0, failed: 0, total: 0, error: null, failures: [] };
	for (const a of suite.assertionResults) {
		r.total++;
		if (a.status === 'passed') r.passed++;
		else if (a.status === 'failed') {
			r.failed++;
			r.failures.push({ name: a.fullName, message: firstLines(a.failureMessages.join('\n')).join('\n') });
		}
	}
	// The suite itself failed (load error, crash, failing hook) beyond its tests.
	if (suite.status === 'failed' && r.failed === 0)
		r.error = firstLines(suite.message || suite.failureMessage || 'suite failed').join('\n');
}
const okFile = (r) => !r.error && r.failed === 0 && r.passed === r.total && r.total > 0;

// Requirements.
const problems = [];
if (requireSpec) {
	for (const item of requireSpec.split(',').filter(Boolean)) {
		const m = /^(.+)=(\d+)$/.exec(item.trim());
		if (!m) bad(`bad --require item '${item}' (want FILE=N)`);
		const f = normName(m[1]), n = Number(m[2]), r = perFile[f];
		if (!r) problems.push(`${f}: required ${n} passing, but it was not run`);
		else if (r.passed < n) problems.push(`${f}: ${r.passed} passed, required at least ${n}`);
	}
}
if (allExceptSpec || !requireSpec) {
	const except = new Set(allExceptSpec.split(',').filter((s) => s.trim()).map(normName));
	for (const [f, r] of Object.entries(perFile))
		if (!except.has(f) && !okFile(r))
			problems.push(`${f}: ${r.passed}/${r.total} passed${r.error ? ` (${r.error.split('\n')[0]})` : ''}, all required`);
}

// Table.
const total = { passed: 0, failed: 0, total: 0 };
const w = Math.max(...Object.keys(perFile).map((f) => f.length), 'TOTAL'.length);
const row = (name, p, f, t, note = '') =>
	`${name.padEnd(w)}  ${String(p).padStart(6)}  ${String(f).padStart(6)}  ${String(t).padStart(5)}${note}`;
const out = ['', row('FILE', 'PASSED', 'FAILED', 'TOTAL'), '-'.repeat(w + 23)];
for (const [f, r] of Object.entries(perFile)) {
	for (const k of Object.keys(total)) total[k] += r[k];
	out.push(row(f, r.passed, r.failed, r.total, r.error ? '  SUITE ERROR' : okFile(r) ? '' : '  FAIL'));
}
out.push('-'.repeat(w + 23), row('TOTAL', total.passed, total.failed, total.total), '');

// Failure details.
for (const [f, r] of Object.entries(perFile)) {
	if (r.error) out.push(`x ${f}: SUITE ERROR`, ...r.error.split('\n').map((l) => `    ${l}`), '');
	for (const x of r.failures)
		out.push(`x ${f} › ${x.name}`, ...x.message.split('\n').map((l) => `    ${l}`), '');
}
out.push(problems.length
	? `REQUIREMENTS NOT MET:\n${problems.map((p) => `  - ${p}`).join('\n')}`
	: 'Requirements met.');
console.log(out.join('\n'));

if (jsonOut) {
	const data = {
		workerBin: process.env.MEDIASOUP_WORKER_BIN || null,
		files: perFile, total, requirementsMet: problems.length === 0, problems,
	};
	fs.writeFileSync(jsonOut, JSON.stringify(data, null, 2) + '\n');
}
process.exit(problems.length ? 1 : 0);
