// The page script of the browser tests: mediasoup-client against the test server (server.py).
//
// Bundled at test time with esbuild (harness.bundle()) into build/client.js and loaded by
// index.html. It does nothing by itself: the driver (driver.js) calls the functions put on
// `window.harness` through playwright's page.evaluate(), so every step and its timing is
// visible from the driver.
//
// Signaling is JSON over one WebSocket per page:
//   request   {"id": 1, "method": "produce", "data": {...}}
//   response  {"id": 1, "ok": true, "data": {...}}  or  {"id": 1, "ok": false, "error": "..."}
//   push      {"notification": "transportstate", "data": {...}}  (server-side transport events)

import { Device } from 'mediasoup-client';

const startedAt = performance.now();
const log = []; // {t, what, ...}: every state change and error on this page, for the report

function note(what, extra = {}) {
	log.push({ t: Math.round(performance.now() - startedAt), what, ...extra });
}

window.addEventListener('error', (event) => note('window.error', { message: String(event.message) }));
window.addEventListener('unhandledrejection', (event) =>
	note('unhandledrejection', { message: String(event.reason && (event.reason.stack || event.reason)) })
);

// ---------------------------------------------------------------- signaling

class Signaling {
	constructor(url) {
		this.url = url;
		this.nextId = 1;
		this.pending = new Map();
		this.notifications = [];
	}

	open() {
		return new Promise((resolve, reject) => {
			this.ws = new WebSocket(this.url);
			this.ws.onopen = () => resolve();
			this.ws.onerror = () => reject(new Error(`WebSocket error on ${this.url}`));
			this.ws.onclose = () => {
				note('ws.close');
				for (const { reject: rejectPending } of this.pending.values()) {
					rejectPending(new Error('WebSocket closed'));
				}
				this.pending.clear();
			};
			this.ws.onmessage = (event) => this.onMessage(JSON.parse(event.data));
		});
	}

	onMessage(message) {
		if (message.notification) {
			this.notifications.push(message);
			note(`server.${message.notification}`, message.data || {});
			return;
		}
		const pending = this.pending.get(message.id);
		if (!pending) return;
		this.pending.delete(message.id);
		if (message.ok) pending.resolve(message.data);
		else pending.reject(new Error(message.error || 'request failed'));
	}

	request(method, data = {}) {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			this.ws.send(JSON.stringify({ id, method, data }));
		});
	}
}

// ---------------------------------------------------------------- state

const state = {
	signaling: null,
	device: null,
	sendTransport: null,
	recvTransport: null,
	producers: [],
	consumers: [],
	stream: null,
	loopback: null,
};

function watchTransport(transport, name) {
	transport.on('connectionstatechange', (s) => note(`${name}.connectionstatechange`, { state: s }));
	transport.on('icegatheringstatechange', (s) => note(`${name}.icegatheringstatechange`, { state: s }));
}

function statsToArray(report) {
	const out = [];
	report.forEach((entry) => out.push({ ...entry }));
	return out;
}

async function createTransport(direction) {
	const info = await state.signaling.request('createWebRtcTransport', { direction });
	const options = {
		id: info.id,
		iceParameters: info.iceParameters,
		iceCandidates: info.iceCandidates,
		dtlsParameters: info.dtlsParameters,
		sctpParameters: info.sctpParameters || undefined,
		iceServers: [],
	};
	const transport =
		direction === 'send'
			? state.device.createSendTransport(options)
			: state.device.createRecvTransport(options);
	transport.on('connect', ({ dtlsParameters }, callback, errback) => {
		note(`${direction}.connect`, { role: dtlsParameters.role });
		state.signaling
			.request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters })
			.then(callback, errback);
	});
	if (direction === 'send') {
		transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
			state.signaling
				.request('produce', { transportId: transport.id, kind, rtpParameters, appData })
				.then(({ id }) => callback({ id }), errback);
		});
	}
	watchTransport(transport, direction);
	return transport;
}

// ---------------------------------------------------------------- the harness API

async function connect(wsUrl) {
	state.signaling = new Signaling(wsUrl);
	await state.signaling.open();
	state.device = new Device();
	const routerRtpCapabilities = await state.signaling.request('getRouterRtpCapabilities');
	await state.device.load({ routerRtpCapabilities });
	note('device.loaded', { handlerName: state.device.handlerName });
	return { handlerName: state.device.handlerName };
}

// Fake camera and microphone (Chromium's --use-fake-device-for-media-stream).
async function getUserMedia({ width = 640, height = 480, frameRate = 30 } = {}) {
	const stream = await navigator.mediaDevices.getUserMedia({
		audio: true,
		video: { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: frameRate } },
	});
	state.stream = stream;
	const tracks = stream.getTracks().map((t) => ({
		kind: t.kind,
		label: t.label,
		readyState: t.readyState,
		settings: t.getSettings(),
	}));
	note('getUserMedia', { tracks: tracks.map((t) => `${t.kind}:${t.label}`) });
	return tracks;
}

// Page A: send the fake camera and microphone. Returns [{id, kind}].
async function produce({ audio = true, video = true, videoMaxBitrate = 1500000 } = {}) {
	if (!state.stream) await getUserMedia();
	state.sendTransport = await createTransport('send');
	const out = [];
	if (video) {
		const track = state.stream.getVideoTracks()[0];
		const producer = await state.sendTransport.produce({
			track,
			encodings: [{ maxBitrate: videoMaxBitrate }],
		});
		state.producers.push(producer);
		out.push({ id: producer.id, kind: producer.kind });
	}
	if (audio) {
		const track = state.stream.getAudioTracks()[0];
		const producer = await state.sendTransport.produce({ track });
		state.producers.push(producer);
		out.push({ id: producer.id, kind: producer.kind });
	}
	note('produced', { producers: out });
	return out;
}

// Page B: consume the given producers. Consumers are created paused on the server and
// resumed once the local side is ready (as mediasoup's demo does).
async function consume(producerIds) {
	state.recvTransport = await createTransport('recv');
	const rtpCapabilities = state.device.recvRtpCapabilities || state.device.rtpCapabilities;
	const out = [];
	for (const producerId of producerIds) {
		const info = await state.signaling.request('consume', {
			transportId: state.recvTransport.id,
			producerId,
			rtpCapabilities,
		});
		const consumer = await state.recvTransport.consume({
			id: info.id,
			producerId: info.producerId,
			kind: info.kind,
			rtpParameters: info.rtpParameters,
		});
		state.consumers.push(consumer);
		// Keep the track playing so that the decoder runs even in a headless page.
		const el = document.createElement(consumer.kind);
		el.autoplay = true;
		el.muted = true;
		el.playsInline = true;
		el.srcObject = new MediaStream([consumer.track]);
		document.body.appendChild(el);
		el.play().catch((error) => note('element.play failed', { message: String(error) }));
		await state.signaling.request('resume', { consumerId: consumer.id });
		out.push({ id: consumer.id, kind: consumer.kind, producerId });
	}
	note('consumed', { consumers: out });
	return out;
}

// Browser-side stats of both transports: the full getStats() entries.
async function stats() {
	const out = { send: null, recv: null, sendState: null, recvState: null };
	if (state.sendTransport) {
		out.send = statsToArray(await state.sendTransport.getStats());
		out.sendState = state.sendTransport.connectionState;
	}
	if (state.recvTransport) {
		out.recv = statsToArray(await state.recvTransport.getStats());
		out.recvState = state.recvTransport.connectionState;
	}
	return out;
}

// Self-check, no SFU: two RTCPeerConnections in this page, the fake camera + microphone sent
// from one to the other over loopback. Proves the flags, the fake devices and the network
// namespace are right, independently of the worker.
async function startLoopback() {
	if (!state.stream) await getUserMedia();
	const pc1 = new RTCPeerConnection({ iceServers: [] });
	const pc2 = new RTCPeerConnection({ iceServers: [] });
	state.loopback = { pc1, pc2 };
	const candidates = [];
	pc1.onicecandidate = (e) => {
		if (!e.candidate) return;
		candidates.push(e.candidate.candidate);
		pc2.addIceCandidate(e.candidate).catch((err) => note('pc2.addIceCandidate', { message: String(err) }));
	};
	pc2.onicecandidate = (e) => {
		if (!e.candidate) return;
		candidates.push(e.candidate.candidate);
		pc1.addIceCandidate(e.candidate).catch((err) => note('pc1.addIceCandidate', { message: String(err) }));
	};
	pc1.onconnectionstatechange = () => note('loopback.pc1.connectionstatechange', { state: pc1.connectionState });
	pc2.onconnectionstatechange = () => note('loopback.pc2.connectionstatechange', { state: pc2.connectionState });
	pc2.ontrack = (e) => {
		const el = document.createElement(e.track.kind);
		el.autoplay = true;
		el.muted = true;
		el.srcObject = new MediaStream([e.track]);
		document.body.appendChild(el);
		el.play().catch(() => {});
	};
	for (const track of state.stream.getTracks()) {
		const sender = pc1.addTrack(track, state.stream);
		if (track.kind === 'video') {
			const params = sender.getParameters();
			params.encodings = params.encodings && params.encodings.length ? params.encodings : [{}];
			params.encodings[0].maxBitrate = 1500000;
			await sender.setParameters(params).catch(() => {});
		}
	}
	const offer = await pc1.createOffer();
	await pc1.setLocalDescription(offer);
	await pc2.setRemoteDescription(offer);
	const answer = await pc2.createAnswer();
	await pc2.setLocalDescription(answer);
	await pc1.setRemoteDescription(answer);
	return { candidates };
}

async function loopbackStats() {
	const { pc1, pc2 } = state.loopback;
	return {
		send: statsToArray(await pc1.getStats()),
		recv: statsToArray(await pc2.getStats()),
		sendState: pc1.connectionState,
		recvState: pc2.connectionState,
	};
}

window.harness = {
	connect,
	getUserMedia,
	produce,
	consume,
	stats,
	startLoopback,
	loopbackStats,
	log: () => log.slice(),
	notifications: () => (state.signaling ? state.signaling.notifications.slice() : []),
	userAgent: () => navigator.userAgent,
};
note('harness.ready');
