#!/usr/bin/env node
// Two Chromium pages in a demo room (the real app: index.html + app.bundle.js), driven with
// playwright-core through tests/browser/driver.js's launchChromium(). Prints ONE line on
// stdout: `RESULT {json}`; progress goes to stderr. The Python test asserts.
//
//   node demo_driver.js --url http://127.0.0.1:PORT/ --scenario call [--duration 10]
//        [--timeout 60] [--chromium /usr/bin/chromium] [--screenshot docs/img/demo.png]
//
// Steps (each recorded in result.steps with its time, or the error that stopped it):
//   joined      Alice then Bob open /?room=...&name=...&autojoin=1 and join
//   peers       each page shows the other's tile
//   consumers   each page has 2 consumers (audio + video) of the other
//   media       Bob decodes Alice's video (framesDecoded > 30) and receives her audio
//               (packetsReceived > 100) within --duration seconds
//   statsPanel  Bob's stats panel has a row per consumer, with a bitrate
//   micPause    Alice mutes: Bob's tile for her shows "mic off"; she unmutes: it clears
//   screenshot  Bob's page, saved to --screenshot
//   moved       (with --ready-file F) the driver writes F; the runner kills the room's worker;
//               both pages get roomMoved, reconnect, and Bob decodes Alice's video again
//   leave       Alice's page closes: Bob's tile for her goes
//   broadcast*  (with --broadcast-file F) Bob alone in the room: the driver writes F
//               ({id, displayName, room}); the runner creates a broadcaster over the HTTP API
//               and starts ffmpeg (VP8 test pattern + Opus tone) into it. Bob's page shows
//               the broadcaster's tile ("... (broadcast)"), consumes its audio and video,
//               decodes the video (framesDecoded rising, videoWidth > 0) and receives the
//               audio; then the driver writes F.delete, the runner DELETEs the broadcaster
//               (and kills ffmpeg), and Bob's tile for it goes. Recorded in result.broadcast,
//               apart from result.ok (steps broadcastPeer, broadcastMedia, broadcastGone).

'use strict';

const path = require('path');
const { launchChromium } = require(path.join(__dirname, '..', 'browser', 'driver.js'));

function parseArgs(argv) {
	const args = { url: null, scenario: 'call', duration: 10, timeout: 60, chromium: '/usr/bin/chromium', screenshot: null, room: 'browser-test', 'ready-file': null, 'broadcast-file': null };
	for (let i = 2; i < argv.length; i++) {
		const key = argv[i].replace(/^--/, '');
		const value = argv[++i];
		if (key === 'duration' || key === 'timeout') args[key] = Number(value);
		else if (key in args) args[key] = value;
		else throw new Error(`unknown option --${key}`);
	}
	if (!args.url) throw new Error('--url is required');
	return args;
}

const t0 = Date.now();
const ms = () => Date.now() - t0;
const progress = (...parts) => process.stderr.write(`[demo-driver +${ms()}ms] ${parts.join(' ')}\n`);
const sleep = (n) => new Promise((r) => setTimeout(r, n));

async function waitFor(page, fn, arg, timeoutMs, what) {
	try {
		await page.waitForFunction(fn, arg, { timeout: timeoutMs, polling: 200 });
	} catch (error) {
		const summary = await page.evaluate(() => window.demo && window.demo.summary()).catch(() => null);
		throw new Error(`${what}: not reached in ${timeoutMs} ms; page state: ${JSON.stringify(summary)}`);
	}
}

// Bob's inbound-rtp of Alice's audio and video, from his receiving transport.
async function inbound(page) {
	return page.evaluate(async () => {
		const transport = window.demo.state.recvTransport;
		if (!transport) return null;
		const report = await transport.getStats();
		const out = { video: null, audio: null };
		report.forEach((s) => {
			if (s.type === 'inbound-rtp') {
				out[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded || 0, bytesReceived: s.bytesReceived };
			}
		});
		return out;
	});
}

// The broadcaster's consumers on a page (inbound-rtp per kind, from each Consumer's own
// receiver) and its tile's <video> size.
async function broadcasterMedia(page, peerId) {
	return page.evaluate(async (peerId) => {
		const out = { video: null, audio: null, videoWidth: 0, videoHeight: 0 };
		for (const { consumer, peerId: owner } of window.demo.state.consumers.values()) {
			if (owner !== peerId || consumer.closed) continue;
			const report = await consumer.getStats();
			report.forEach((s) => {
				if (s.type === 'inbound-rtp') {
					out[s.kind] = { packetsReceived: s.packetsReceived, framesDecoded: s.framesDecoded || 0, bytesReceived: s.bytesReceived, packetsLost: s.packetsLost };
				}
			});
		}
		const tile = [...document.querySelectorAll('.tile')].find((t) => t.dataset.peerId === peerId);
		const video = tile && tile.querySelector('video');
		if (video) {
			out.videoWidth = video.videoWidth;
			out.videoHeight = video.videoHeight;
		}
		return out;
	}, peerId);
}

async function broadcastStep(bob, args, step) {
	const fs = require('fs');
	const id = 'ffmpeg-test';
	const displayName = 'FFmpeg test';
	const out = { ok: false, id, displayName, samples: [] };
	const started = Date.now();
	const tmp = `${args['broadcast-file']}.tmp`;
	fs.writeFileSync(tmp, JSON.stringify({ id, displayName, room: args.room }));
	fs.renameSync(tmp, args['broadcast-file']); // the runner sees the whole file or nothing
	step('broadcastRequested');

	const tileName = (peerId) => {
		const tile = [...document.querySelectorAll('.tile')].find((t) => t.dataset.peerId === peerId);
		return tile ? tile.querySelector('.name').textContent : null;
	};
	await waitFor(bob, (name) => window.demo.summary().peers.includes(name), displayName, 20000, 'Bob sees the broadcaster');
	out.tileName = await bob.evaluate(tileName, id);
	const consumersOf = (peerId) => window.demo.summary().consumers.filter((c) => c.peerId === peerId).map((c) => c.kind).sort();
	await waitFor(bob, (peerId) => window.demo.summary().consumers.filter((c) => c.peerId === peerId).length >= 2, id, 15000, "Bob consumes the broadcaster's audio and video");
	out.consumerKinds = await bob.evaluate(consumersOf, id);
	step('broadcastPeer', { tileName: out.tileName, consumers: out.consumerKinds, afterMs: Date.now() - started });

	// Decoding: framesDecoded rising on the broadcaster's video consumer (two samples apart,
	// past 30 frames), the <video> has a size, and its audio packets arrive (> 100).
	const mediaStart = Date.now();
	let first = null;
	let last = null;
	while (Date.now() - mediaStart < 20000) {
		last = await broadcasterMedia(bob, id);
		const frames = last.video ? last.video.framesDecoded : 0;
		out.samples.push({ t: Date.now() - mediaStart, frames, audioPackets: last.audio ? last.audio.packetsReceived : 0, videoWidth: last.videoWidth });
		if (first === null && frames > 0) first = { t: Date.now() - mediaStart, framesDecoded: frames };
		if (first && frames > 30 && frames > first.framesDecoded && last.videoWidth > 0 && last.audio && last.audio.packetsReceived > 100) break;
		await sleep(250);
	}
	out.first = first;
	out.last = last;
	out.mediaMs = Date.now() - mediaStart;
	const frames = last && last.video ? last.video.framesDecoded : 0;
	out.mediaOk = Boolean(first && frames > 30 && frames > first.framesDecoded && last.videoWidth > 0 && last.audio && last.audio.packetsReceived > 100);
	out.samples = out.samples.filter((_, i, all) => i % 4 === 0 || i === all.length - 1); // keep it short
	if (out.mediaOk) step('broadcastMedia', { framesDecoded: frames, first: first.framesDecoded, videoWidth: last.videoWidth, videoHeight: last.videoHeight, audioPackets: last.audio.packetsReceived, afterMs: out.mediaMs });

	fs.writeFileSync(`${args['broadcast-file']}.delete`, String(ms()));
	const deleteAsked = Date.now();
	await waitFor(bob, (peerId) => {
		const s = window.demo.summary();
		return !s.consumers.some((c) => c.peerId === peerId) && ![...document.querySelectorAll('.tile')].some((t) => t.dataset.peerId === peerId);
	}, id, 15000, "the broadcaster's tile gone from Bob's page");
	out.peersAfter = await bob.evaluate(() => window.demo.summary().peers);
	out.tileGone = !out.peersAfter.includes(displayName);
	out.goneMs = Date.now() - deleteAsked;
	step('broadcastGone', { afterMs: out.goneMs, peers: out.peersAfter });
	out.totalMs = Date.now() - started;
	out.ok = out.mediaOk && out.tileGone;
	return out;
}

async function main() {
	const args = parseArgs(process.argv);
	const result = { scenario: args.scenario, ok: false, error: null, steps: {}, console: [], summaries: {} };
	const step = (name, data = {}) => {
		result.steps[name] = { atMs: ms(), ...data };
		progress('step', name, JSON.stringify(data));
	};
	let browser = null;
	const pages = {};
	const deadline = setTimeout(() => {
		result.error = `driver timeout (${args.timeout} s)`;
		finish(3);
	}, args.timeout * 1000);
	let finished = false;
	async function finish(code) {
		if (finished) return;
		finished = true;
		clearTimeout(deadline);
		for (const [name, page] of Object.entries(pages)) {
			result.summaries[name] = await page.evaluate(() => window.demo && window.demo.summary()).catch(() => null);
		}
		if (browser) await browser.close().catch(() => {});
		result.totalMs = ms();
		process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
		process.exit(code);
	}

	try {
		browser = await launchChromium({ executablePath: args.chromium });
		const open = async (name) => {
			const page = await browser.context.newPage();
			page.on('console', (m) => {
				if (m.type() === 'error' || m.type() === 'warning') result.console.push(`${name} ${m.type()}: ${m.text()}`);
			});
			page.on('pageerror', (e) => result.console.push(`${name} pageerror: ${e.message}`));
			await page.setViewportSize({ width: 1280, height: 760 });
			const url = `${args.url}?room=${encodeURIComponent(args.room)}&name=${name}&autojoin=1`;
			await page.goto(url);
			pages[name] = page;
			return page;
		};
		const alice = await open('Alice');
		await waitFor(alice, () => window.demo.summary().joined && window.demo.summary().producers.cam, null, 20000, 'Alice joined and producing');
		const bob = await open('Bob');
		await waitFor(bob, () => window.demo.summary().joined && window.demo.summary().producers.cam, null, 20000, 'Bob joined and producing');
		step('joined');

		await waitFor(alice, (n) => window.demo.summary().peers.includes(n), 'Bob', 10000, 'Alice sees Bob');
		await waitFor(bob, (n) => window.demo.summary().peers.includes(n), 'Alice', 10000, 'Bob sees Alice');
		step('peers');

		const twoConsumers = () => window.demo.summary().consumers.length >= 2;
		await waitFor(alice, twoConsumers, null, 15000, 'Alice consumes Bob');
		await waitFor(bob, twoConsumers, null, 15000, 'Bob consumes Alice');
		step('consumers', {
			bob: (await bob.evaluate(() => window.demo.summary().consumers)).map((c) => c.kind).sort(),
		});

		const mediaStart = Date.now();
		let last = null;
		let peak = { framesDecoded: 0, audioPackets: 0 };
		while (Date.now() - mediaStart < args.duration * 1000) {
			last = await inbound(bob);
			if (last && last.video) peak.framesDecoded = Math.max(peak.framesDecoded, last.video.framesDecoded);
			if (last && last.audio) peak.audioPackets = Math.max(peak.audioPackets, last.audio.packetsReceived);
			if (peak.framesDecoded > 30 && peak.audioPackets > 100) break;
			await sleep(250);
		}
		result.media = { peak, last, states: await bob.evaluate(() => ({ send: window.demo.summary().sendState, recv: window.demo.summary().recvState })) };
		// Media is measured, not required, for the steps below (signaling and UI): the test
		// asserts it on its own.
		result.media.ok = peak.framesDecoded > 30 && peak.audioPackets > 100;
		if (result.media.ok) step('media', peak);

		await waitFor(bob, () => document.querySelectorAll('#stats tbody tr').length >= 2, null, 10000, 'stats panel rows');
		if (result.media.ok) await waitFor(bob, () => [...document.querySelectorAll('#stats tbody tr')].some((r) => Number(r.children[3].textContent) > 0), null, 10000, 'a bitrate in the stats panel').catch(() => {});
		step('statsPanel', { rows: await bob.evaluate(() => [...document.querySelectorAll('#stats tbody tr')].map((r) => r.innerText)) });

		const aliceTileMuted = () => {
			const tile = [...document.querySelectorAll('.tile')].find((t) => t.querySelector('.name').textContent.startsWith('Alice'));
			return tile && tile.classList.contains('mic-muted');
		};
		await alice.click('#toggle-mic');
		await waitFor(bob, aliceTileMuted, null, 10000, "Bob sees Alice's mic off");
		await alice.click('#toggle-mic');
		await waitFor(bob, () => !(() => {
			const tile = [...document.querySelectorAll('.tile')].find((t) => t.querySelector('.name').textContent.startsWith('Alice'));
			return tile && tile.classList.contains('mic-muted');
		})(), null, 10000, "Bob sees Alice's mic back on");
		step('micPause');

		if (args.screenshot) {
			await sleep(1500); // a couple of stats updates and decoded frames on screen
			await bob.screenshot({ path: args.screenshot });
			step('screenshot', { path: args.screenshot });
		}

		if (args['ready-file']) {
			require('fs').writeFileSync(args['ready-file'], String(ms()));
			step('killRequested');
			const reconnected = () => {
				const s = window.demo.summary();
				return s.moves >= 1 && s.consumers.length >= 2 && s.recvState === 'connected' && s.sendState === 'connected';
			};
			await waitFor(alice, reconnected, null, 30000, 'Alice reconnected after the worker died');
			await waitFor(bob, reconnected, null, 30000, 'Bob reconnected after the worker died');
			const again = Date.now();
			let frames = 0;
			while (Date.now() - again < args.duration * 1000 && frames <= 30) {
				const now = await inbound(bob);
				if (now && now.video) frames = Math.max(frames, now.video.framesDecoded);
				await sleep(250);
			}
			result.mediaAfterMove = { framesDecoded: frames, ok: frames > 30 };
			step('moved', { framesDecoded: frames, bobConsumers: (await bob.evaluate(() => window.demo.summary().consumers.length)) });
		}

		await alice.close();
		delete pages.Alice;
		await waitFor(bob, () => !window.demo.summary().peers.includes('Alice') && window.demo.summary().consumers.length === 0, null, 15000, 'Alice gone from Bob');
		step('leave');
		result.ok = true;
	} catch (error) {
		result.error = String(error && error.message ? error.message : error);
		progress('error', result.error);
	}
	if (args['broadcast-file'] && pages.Bob) {
		result.broadcast = await broadcastStep(pages.Bob, args, step).catch((error) => {
			progress('broadcast error', error.message);
			return { ok: false, error: String(error && error.message ? error.message : error) };
		});
	}
	await finish(0);
}

main().catch((error) => {
	process.stdout.write(`RESULT ${JSON.stringify({ ok: false, error: String(error.stack || error) })}\n`);
	process.exit(2);
});
