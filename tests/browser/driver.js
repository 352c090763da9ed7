#!/usr/bin/env node
// Drives headless Chromium (Debian's, through playwright-core) against a page served by the
// test server, and prints ONE result line: `RESULT {json}` on stdout. Progress goes to stderr.
//
//   node driver.js --url http://127.0.0.1:PORT/ --scenario sfu|loopback|launch
//                  [--duration 10] [--timeout 60] [--chromium /usr/bin/chromium]
//                  [--poll-ms 250] [--screenshot out.png (page B, else A)]
//
// Scenarios:
//   launch    load the page, check getUserMedia with the fake devices (no peer connection)
//   loopback  one page, two RTCPeerConnections sending the fake camera + mic to each other:
//             proves the flags, the fake devices and the network namespace, without the SFU
//   sfu       page A produces camera + mic through the server (pymediasoup), page B consumes
//             both; polls B's inbound-rtp and A's outbound-rtp until the thresholds are met
//             or --duration seconds after media start (the end of signaling) have passed
//
// "Met" thresholds (as in the browser test): video framesDecoded > 30, audio
// packetsReceived > 100, outbound video bitrate above the 300 kbps start bitrate.
// The driver only measures; the Python test asserts.

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const THRESHOLDS = { framesDecoded: 30, packetsReceived: 100, outboundKbps: 300 };

// Chromium's flags (the list). Playwright adds --headless itself and its own
// defaults; --user-data-dir is a fresh temporary folder (launchPersistentContext).
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--use-fake-device-for-media-stream',
	'--use-fake-ui-for-media-stream',
	'--allow-loopback-in-peer-connection',
];

function parseArgs(argv) {
	const args = {
		url: null,
		scenario: 'sfu',
		duration: 10,
		timeout: 60,
		chromium: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
		pollMs: 250,
		screenshot: null,
	};
	for (let i = 2; i < argv.length; i++) {
		const key = argv[i].replace(/^--/, '');
		const value = argv[++i];
		switch (key) {
			case 'url': args.url = value; break;
			case 'scenario': args.scenario = value; break;
			case 'duration': args.duration = Number(value); break;
			case 'timeout': args.timeout = Number(value); break;
			case 'chromium': args.chromium = value; break;
			case 'poll-ms': args.pollMs = Number(value); break;
			case 'screenshot': args.screenshot = value; break;
			default: throw new Error(`unknown option --${key}`);
		}
	}
	if (!args.url) throw new Error('--url is required');
	return args;
}

const t0 = Date.now();
const ms = () => Date.now() - t0;
const progress = (...parts) => process.stderr.write(`[driver +${ms()}ms] ${parts.join(' ')}\n`);
const sleep = (n) => new Promise((r) => setTimeout(r, n));

// ---------------------------------------------------------------- stats helpers

function byType(entries, type, kind) {
	return (entries || []).filter((e) => e.type === type && (!kind || e.kind === kind));
}

function sum(entries, field) {
	return entries.reduce((acc, e) => acc + (Number(e[field]) || 0), 0);
}

// ICE and DTLS as the browser sees them: the `transport` entry and its selected pair.
function transportSummary(entries, connectionState) {
	if (!entries) return null;
	const transport = byType(entries, 'transport')[0] || {};
	const pairs = byType(entries, 'candidate-pair');
	const selected =
		pairs.find((p) => p.id === transport.selectedCandidatePairId) ||
		pairs.find((p) => p.nominated && p.state === 'succeeded') ||
		null;
	const local = selected && entries.find((e) => e.id === selected.localCandidateId);
	const remote = selected && entries.find((e) => e.id === selected.remoteCandidateId);
	return {
		connectionState,
		iceState: transport.iceState,
		dtlsState: transport.dtlsState,
		dtlsRole: transport.dtlsRole,
		srtpCipher: transport.srtpCipher,
		bytesSent: transport.bytesSent,
		bytesReceived: transport.bytesReceived,
		pairs: pairs.map((p) => ({
			state: p.state,
			nominated: p.nominated,
			requestsSent: p.requestsSent,
			responsesReceived: p.responsesReceived,
			requestsReceived: p.requestsReceived,
			bytesSent: p.bytesSent,
			bytesReceived: p.bytesReceived,
		})),
		selected: selected && {
			local: local && `${local.address || local.ip}:${local.port}/${local.protocol}`,
			remote: remote && `${remote.address || remote.ip}:${remote.port}/${remote.protocol}`,
			availableOutgoingBitrate: selected.availableOutgoingBitrate,
			currentRoundTripTime: selected.currentRoundTripTime,
		},
	};
}

// One sample: what the thresholds need, from the sender's and the receiver's getStats().
function sample(send, recv) {
	const inVideo = byType(recv, 'inbound-rtp', 'video');
	const inAudio = byType(recv, 'inbound-rtp', 'audio');
	const outVideo = byType(send, 'outbound-rtp', 'video');
	const pair = (() => {
		const transport = byType(send, 'transport')[0] || {};
		const pairs = byType(send, 'candidate-pair');
		return pairs.find((p) => p.id === transport.selectedCandidatePairId) || null;
	})();
	return {
		t: ms(),
		framesDecoded: sum(inVideo, 'framesDecoded'),
		videoPacketsReceived: sum(inVideo, 'packetsReceived'),
		packetsReceived: sum(inAudio, 'packetsReceived'),
		videoBytesSent: sum(outVideo, 'bytesSent'),
		videoPacketsSent: sum(outVideo, 'packetsSent'),
		targetBitrate: outVideo.length ? sum(outVideo, 'targetBitrate') : null,
		availableOutgoingBitrate: pair ? pair.availableOutgoingBitrate ?? null : null,
		qualityLimitationReason: outVideo[0] ? outVideo[0].qualityLimitationReason : null,
		frameWidth: outVideo[0] ? outVideo[0].frameWidth : null,
	};
}

// Polls `getStats` (returning {send, recv, sendState, recvState}) until every threshold is met
// or `durationMs` has passed. Times in `reached` are ms after media start (this call). `out`
// is filled in as it goes, so a timeout still reports how far the media got; `out.lastStats`
// holds the last raw getStats (for transportSummary; drop it before printing).
async function measure(getStats, durationMs, pollMs, out = {}) {
	const startMs = ms();
	const samples = [];
	const reached = { framesDecoded: null, packetsReceived: null, outboundKbps: null };
	const peak = { framesDecoded: 0, packetsReceived: 0, sendKbps: 0, availableOutgoingKbps: 0, targetKbps: 0 };
	Object.assign(out, { durationMs: 0, reached, peak, final: null, samples: [], lastStats: null });
	while (ms() - startMs <= durationMs) {
		const last = await getStats();
		const s = sample(last.send, last.recv);
		s.sinceStart = s.t - startMs;
		samples.push(s);
		// Send rate over the last ~1 s of samples.
		const windowStart = samples.find((x) => s.t - x.t <= 1000 + pollMs / 2) || s;
		const dt = s.t - windowStart.t;
		s.sendKbps = dt >= 500 ? Math.round(((s.videoBytesSent - windowStart.videoBytesSent) * 8) / dt) : null;
		peak.framesDecoded = Math.max(peak.framesDecoded, s.framesDecoded);
		peak.packetsReceived = Math.max(peak.packetsReceived, s.packetsReceived);
		peak.sendKbps = Math.max(peak.sendKbps, s.sendKbps || 0);
		peak.availableOutgoingKbps = Math.max(peak.availableOutgoingKbps, Math.round((s.availableOutgoingBitrate || 0) / 1000));
		peak.targetKbps = Math.max(peak.targetKbps, Math.round((s.targetBitrate || 0) / 1000));
		if (reached.framesDecoded === null && s.framesDecoded > THRESHOLDS.framesDecoded) reached.framesDecoded = s.sinceStart;
		if (reached.packetsReceived === null && s.packetsReceived > THRESHOLDS.packetsReceived) reached.packetsReceived = s.sinceStart;
		// The outbound bitrate "ramps above the start": the sender's bandwidth estimate
		// (the selected pair's availableOutgoingBitrate) starts at exactly 300 kbps and rises
		// only on congestion-control feedback (transport-cc) from the receiver. The actual send
		// rate (sendKbps) is reported but not used: VP8 on the fake camera's simple picture sends
		// ~200 kbps for seconds even with a 3 Mbps estimate (measured browser-to-browser).
		if (reached.outboundKbps === null && (s.availableOutgoingBitrate || 0) / 1000 > THRESHOLDS.outboundKbps) {
			reached.outboundKbps = s.sinceStart;
		}
		out.durationMs = ms() - startMs;
		out.final = s;
		out.lastStats = last;
		// Every fourth sample is enough to see the ramp (about one per second).
		out.samples = samples.filter((_, i) => i % 4 === 0 || i === samples.length - 1);
		if (Object.values(reached).every((v) => v !== null)) break;
		await sleep(pollMs);
	}
	return out;
}

// Debian's Chromium, headless, with the flags above and a fresh profile folder. Returns
// {context, userDataDir, close()}; close() also removes the profile.
async function launchChromium({ executablePath = '/usr/bin/chromium', extraArgs = [], timeout = 30000 } = {}) {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pymediasoup-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		args: [...CHROMIUM_ARGS, ...extraArgs],
		timeout,
	});
	const close = async () => {
		try {
			await Promise.race([context.close(), sleep(5000)]);
		} finally {
			fs.rmSync(userDataDir, { recursive: true, force: true });
		}
	};
	return { context, userDataDir, close };
}

// ---------------------------------------------------------------- main

async function main() {
	const args = parseArgs(process.argv);
	const result = {
		scenario: args.scenario,
		ok: false,
		error: null,
		thresholds: THRESHOLDS,
		timings: {},
		pages: {},
		console: [],
	};
	let context = null;
	let browser = null; // from launchChromium()
	let finished = false;

	const finish = async (code) => {
		if (finished) return;
		finished = true;
		result.timings.totalMs = ms();
		const last = result.measure && result.measure.lastStats;
		if (last) {
			result.transports = {
				send: transportSummary(last.send, last.sendState),
				recv: transportSummary(last.recv, last.recvState),
			};
			delete result.measure.lastStats;
		}
		process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
		try {
			if (browser) await browser.close();
		} catch (error) {
			progress('close failed:', error.message);
		}
		process.exit(code);
	};

	// Hard timeout: report what we have and stop.
	setTimeout(() => {
		result.error = result.error || `driver timeout after ${args.timeout} s (step: ${result.step})`;
		progress(result.error);
		finish(3);
	}, args.timeout * 1000).unref();

	const step = (name) => {
		result.step = name;
		progress(name);
	};

	const pages = {};
	const openPage = async (name) => {
		const page = await context.newPage();
		page.on('console', (msg) => {
			result.console.push({ page: name, t: ms(), type: msg.type(), text: msg.text().slice(0, 500) });
		});
		page.on('pageerror', (error) => {
			result.console.push({ page: name, t: ms(), type: 'pageerror', text: String(error.stack || error).slice(0, 1000) });
		});
		page.on('crash', () => result.console.push({ page: name, t: ms(), type: 'crash', text: 'page crashed' }));
		const started = ms();
		await page.goto(args.url, { waitUntil: 'load' });
		await page.waitForFunction(() => !!window.harness, null, { timeout: 10000 });
		result.timings[`load${name}Ms`] = ms() - started;
		pages[name] = page;
		return page;
	};

	const wsUrl = args.url.replace(/^http/, 'ws').replace(/\/?$/, '/ws');

	try {
		step('launch');
		browser = await launchChromium({ executablePath: args.chromium });
		context = browser.context;
		result.timings.launchMs = ms();
		result.browserVersion = context.browser() ? context.browser().version() : null;

		if (args.scenario === 'launch') {
			step('load page');
			const page = await openPage('A');
			result.userAgent = await page.evaluate(() => window.harness.userAgent());
			step('getUserMedia');
			const started = ms();
			result.tracks = await page.evaluate(() => window.harness.getUserMedia());
			result.timings.getUserMediaMs = ms() - started;
			result.ok = result.tracks.length === 2 && result.tracks.every((t) => t.readyState === 'live');
		} else if (args.scenario === 'loopback') {
			step('load page');
			const page = await openPage('A');
			step('loopback: offer/answer');
			const { candidates } = await page.evaluate(() => window.harness.startLoopback());
			result.candidates = candidates;
			step('loopback: measure');
			result.measure = {};
			await measure(() => page.evaluate(() => window.harness.loopbackStats()), args.duration * 1000, args.pollMs, result.measure);
			result.ok = true;
		} else if (args.scenario === 'sfu') {
			step('load pages');
			const a = await openPage('A');
			const b = await openPage('B');
			step('A: connect + produce');
			let started = ms();
			result.pages.A = { device: await a.evaluate((u) => window.harness.connect(u), wsUrl) };
			result.producers = await a.evaluate(() => window.harness.produce());
			result.timings.produceMs = ms() - started;
			step('B: connect + consume');
			started = ms();
			result.pages.B = { device: await b.evaluate((u) => window.harness.connect(u), wsUrl) };
			const ids = result.producers.map((p) => p.id);
			result.consumers = await b.evaluate((x) => window.harness.consume(x), ids);
			result.timings.consumeMs = ms() - started;
			step('measure');
			result.timings.mediaStartMs = ms();
			const getStats = async () => {
				const [sa, sb] = await Promise.all([
					a.evaluate(() => window.harness.stats()),
					b.evaluate(() => window.harness.stats()),
				]);
				return { send: sa.send, recv: sb.recv, sendState: sa.sendState, recvState: sb.recvState };
			};
			result.measure = {};
			await measure(getStats, args.duration * 1000, args.pollMs, result.measure);
			result.ok = true;
		} else {
			throw new Error(`unknown scenario ${args.scenario}`);
		}
		// The consuming page when there is one (its <video> shows what was decoded).
		const shot = pages.B || pages.A;
		if (args.screenshot && shot) await shot.screenshot({ path: args.screenshot });
	} catch (error) {
		result.error = `${result.step}: ${String(error.stack || error)}`.slice(0, 3000);
		progress('error:', result.error);
	}
	for (const [name, page] of Object.entries(pages)) {
		try {
			result.pages[name] = result.pages[name] || {};
			result.pages[name].log = await Promise.race([
				page.evaluate(() => window.harness.log()),
				sleep(3000).then(() => 'timeout'),
			]);
		} catch (error) {
			result.pages[name].log = `unavailable: ${error.message}`;
		}
	}
	await finish(result.error ? 1 : 0);
}

module.exports = { CHROMIUM_ARGS, THRESHOLDS, launchChromium, measure, sample, transportSummary };

if (require.main === module) {
	main().catch((error) => {
		process.stdout.write(`RESULT ${JSON.stringify({ ok: false, error: String(error.stack || error) })}\n`);
		process.exit(2);
	});
}
