// The pymediasoup demo's browser side: mediasoup-client + a small WebSocket signaling client.
// Bundled by esbuild into dist/app.bundle.js (the server builds it on first start).
//
// Flow (as mediasoup-demo): getRouterRtpCapabilities -> Device.load -> one send and one
// receive WebRtcTransport -> join (the others are announced) -> produce mic and camera.
// The server asks us to set up every Consumer (`newConsumer`) and resumes it once we have.

import * as mediasoupClient from 'mediasoup-client';

const $ = (selector) => document.querySelector(selector);
const STATS_INTERVAL_MS = 2000;
const REQUEST_TIMEOUT_MS = 20000;

// ------------------------------------------------------------------ signaling

class Signaling {
	constructor(url, { onRequest, onNotification, onClose }) {
		this.url = url;
		this.onRequest = onRequest;
		this.onNotification = onNotification;
		this.onClose = onClose;
		this.nextId = 1;
		this.pending = new Map();
		this.ws = null;
		this.closedByUs = false;
	}

	open() {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(this.url);
			this.ws = ws;
			ws.onopen = () => resolve();
			ws.onerror = () => reject(new Error('cannot open the signaling WebSocket'));
			ws.onmessage = (event) => this.handle(event.data);
			ws.onclose = (event) => {
				for (const { reject: fail, timer } of this.pending.values()) {
					clearTimeout(timer);
					fail(new Error('signaling closed'));
				}
				this.pending.clear();
				if (!this.closedByUs) this.onClose(event);
			};
		});
	}

	close() {
		this.closedByUs = true;
		if (this.ws) this.ws.close();
	}

	send(message) {
		if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
	}

	request(method, data = {}) {
		const id = this.nextId++;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new Error(`request ${method} timed out`));
			}, REQUEST_TIMEOUT_MS);
			this.pending.set(id, { resolve, reject, timer });
			this.send({ request: true, id, method, data });
		});
	}

	async handle(text) {
		let message;
		try {
			message = JSON.parse(text);
		} catch {
			return;
		}
		if (message.response) {
			const pending = this.pending.get(message.id);
			if (!pending) return;
			this.pending.delete(message.id);
			clearTimeout(pending.timer);
			if (message.ok) pending.resolve(message.data);
			else pending.reject(new Error(message.errorReason));
		} else if (message.request) {
			try {
				const data = await this.onRequest(message.method, message.data);
				this.send({ response: true, id: message.id, ok: true, data: data || {} });
			} catch (error) {
				this.send({ response: true, id: message.id, ok: false, errorReason: String(error) });
			}
		} else if (message.notification) {
			try {
				await this.onNotification(message.method, message.data);
			} catch (error) {
				console.error('notification', message.method, error);
			}
		}
	}
}

// ------------------------------------------------------------------ state

const params = new URLSearchParams(location.search);
const state = {
	roomId: params.get('room') || '',
	peerId: sessionStorage.getItem('pymediasoup-demo-peer') || randomId(),
	displayName: params.get('name') || localStorage.getItem('pymediasoup-demo-name') || '',
	signaling: null,
	device: null,
	sendTransport: null,
	recvTransport: null,
	tracks: { mic: null, cam: null },
	producers: { mic: null, cam: null },
	wanted: { mic: true, cam: true },
	consumers: new Map(), // consumer id -> { consumer, peerId }
	peers: new Map(), // peer id -> { info, tile }
	joined: false,
	moves: 0,
	reconnects: 0,
	statsTimer: null,
	lastStats: null,
	errors: [],
};
sessionStorage.setItem('pymediasoup-demo-peer', state.peerId);

function randomId() {
	return Math.random().toString(36).slice(2, 10);
}

// ------------------------------------------------------------------ UI helpers

function setStatus(text, kind) {
	const el = $('#status');
	el.textContent = text;
	el.dataset.state = kind;
}

function banner(text, bad = false) {
	const el = $('#banner');
	if (!text) {
		el.hidden = true;
		return;
	}
	el.textContent = text;
	el.classList.toggle('bad', bad);
	el.hidden = false;
}

function logEvent(text) {
	const li = document.createElement('li');
	const time = document.createElement('time');
	time.textContent = new Date().toLocaleTimeString();
	li.append(time, text);
	const list = $('#events');
	list.prepend(li);
	while (list.children.length > 100) list.lastChild.remove();
}

function fail(where, error) {
	console.error(where, error);
	state.errors.push(`${where}: ${error && error.message ? error.message : error}`);
	logEvent(`error: ${where}: ${error && error.message ? error.message : error}`);
}

function addPeerTile(info) {
	let peer = state.peers.get(info.id);
	if (peer) {
		peer.info = info;
		peer.tile.querySelector('.name').textContent = info.displayName;
		return peer;
	}
	const tile = $('#tile-template').content.firstElementChild.cloneNode(true);
	tile.dataset.peerId = info.id;
	tile.classList.add('no-video');
	tile.querySelector('.name').textContent = info.displayName;
	if (info.device && info.device.flag === 'broadcaster') tile.querySelector('.name').textContent += ' (broadcast)';
	$('#tiles').append(tile);
	peer = { info, tile, streams: { audio: null, video: null } };
	state.peers.set(info.id, peer);
	return peer;
}

function removePeerTile(peerId) {
	const peer = state.peers.get(peerId);
	if (!peer) return;
	peer.tile.remove();
	state.peers.delete(peerId);
}

function attachTrack(peer, consumer) {
	const stream = new MediaStream([consumer.track]);
	if (consumer.kind === 'video') {
		const video = peer.tile.querySelector('video');
		video.srcObject = stream;
		video.play().catch(() => {});
	} else {
		const audio = peer.tile.querySelector('audio');
		audio.srcObject = stream;
		audio.play().catch(() => {});
	}
	refreshPeerTile(peer.info.id);
}

// The tile shows "no video" / "mic off" from its consumers' state.
function refreshPeerTile(peerId) {
	const peer = state.peers.get(peerId);
	if (!peer) return;
	let video = null;
	let audio = null;
	for (const entry of state.consumers.values()) {
		if (entry.peerId !== peerId) continue;
		if (entry.consumer.kind === 'video') video = entry;
		else audio = entry;
	}
	const videoOn = video && !video.producerPaused;
	peer.tile.classList.toggle('no-video', !videoOn);
	peer.tile.classList.toggle('mic-muted', !audio || audio.producerPaused);
	if (!video) peer.tile.querySelector('video').srcObject = null;
	if (!audio) peer.tile.querySelector('audio').srcObject = null;
}

function refreshMyTile() {
	const me = $('#me');
	const camOn = state.wanted.cam && state.tracks.cam;
	me.classList.toggle('no-video', !camOn);
	me.classList.toggle('mic-muted', !state.wanted.mic);
	$('#toggle-mic').dataset.on = String(state.wanted.mic);
	$('#toggle-cam').dataset.on = String(state.wanted.cam);
	$('#toggle-mic').textContent = state.wanted.mic ? 'Mute' : 'Unmute';
	$('#toggle-cam').textContent = state.wanted.cam ? 'Cam off' : 'Cam on';
}

// ------------------------------------------------------------------ media

async function createDevice() {
	if (typeof mediasoupClient.Device.factory === 'function') return mediasoupClient.Device.factory();
	return new mediasoupClient.Device();
}

async function createTransport(direction) {
	const info = await state.signaling.request('createWebRtcTransport', {
		producing: direction === 'send',
		consuming: direction === 'recv',
		forceTcp: params.get('forceTcp') === '1',
	});
	const options = {
		id: info.id,
		iceParameters: info.iceParameters,
		iceCandidates: info.iceCandidates,
		dtlsParameters: info.dtlsParameters,
		sctpParameters: info.sctpParameters,
		iceServers: [],
	};
	const transport = direction === 'send'
		? state.device.createSendTransport(options)
		: state.device.createRecvTransport(options);
	transport.on('connect', ({ dtlsParameters }, callback, errback) => {
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
	transport.on('connectionstatechange', (connectionState) => {
		if (connectionState === 'failed') {
			logEvent(`${direction} transport failed; restarting ICE`);
			state.signaling
				.request('restartIce', { transportId: transport.id })
				.then((iceParameters) => transport.restartIce({ iceParameters }))
				.catch((error) => fail('restartIce', error));
		}
	});
	return transport;
}

async function getTrack(source) {
	if (state.tracks[source] && state.tracks[source].readyState === 'live') return state.tracks[source];
	const constraints = source === 'mic'
		? { audio: { echoCancellation: true, noiseSuppression: true } }
		: { video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } } };
	const stream = await navigator.mediaDevices.getUserMedia(constraints);
	const track = stream.getTracks()[0];
	state.tracks[source] = track;
	if (source === 'cam') $('#me-video').srcObject = new MediaStream([track]);
	return track;
}

async function produce(source) {
	if (!state.device.canProduce(source === 'mic' ? 'audio' : 'video')) {
		logEvent(`this browser cannot send ${source === 'mic' ? 'audio' : 'video'} to the room`);
		return;
	}
	const track = await getTrack(source);
	const options = { track, stopTracks: false, appData: { source } };
	if (source === 'mic') options.codecOptions = { opusStereo: false, opusDtx: true };
	else options.codecOptions = { videoGoogleStartBitrate: 1000 };
	const producer = await state.sendTransport.produce(options);
	state.producers[source] = producer;
	producer.on('transportclose', () => {
		if (state.producers[source] === producer) state.producers[source] = null;
	});
	if (!state.wanted[source]) await setProducerPaused(source, true);
	refreshMyTile();
}

async function setProducerPaused(source, paused) {
	const producer = state.producers[source];
	if (!producer) return;
	if (paused) producer.pause();
	else producer.resume();
	await state.signaling.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
}

async function toggle(source) {
	state.wanted[source] = !state.wanted[source];
	refreshMyTile();
	try {
		if (!state.producers[source] && state.wanted[source]) await produce(source);
		else await setProducerPaused(source, !state.wanted[source]);
	} catch (error) {
		fail(`toggle ${source}`, error);
	}
}

// Transports and producers, from scratch (first join, room moved, reconnect).
async function setupMedia() {
	state.sendTransport = await createTransport('send');
	state.recvTransport = await createTransport('recv');
}

async function startProducing() {
	for (const source of ['mic', 'cam']) {
		if (!state.wanted[source] && !state.tracks[source]) continue;
		try {
			await produce(source);
		} catch (error) {
			fail(`produce ${source}`, error);
			state.wanted[source] = false;
			refreshMyTile();
		}
	}
}

function closeMedia() {
	const peerIds = new Set([...state.consumers.values()].map((entry) => entry.peerId));
	for (const { consumer } of state.consumers.values()) consumer.close();
	state.consumers.clear();
	for (const transport of [state.sendTransport, state.recvTransport]) if (transport) transport.close();
	state.sendTransport = state.recvTransport = null;
	state.producers = { mic: null, cam: null };
	for (const peerId of peerIds) refreshPeerTile(peerId);
}

// ------------------------------------------------------------------ server requests and notifications

async function onRequest(method, data) {
	switch (method) {
		case 'newConsumer': {
			if (!state.recvTransport) throw new Error('no receiving transport');
			const consumer = await state.recvTransport.consume({
				id: data.id,
				producerId: data.producerId,
				kind: data.kind,
				rtpParameters: data.rtpParameters,
				appData: { ...data.appData, peerId: data.peerId },
			});
			const entry = { consumer, peerId: data.peerId, producerPaused: data.producerPaused, score: null };
			state.consumers.set(consumer.id, entry);
			consumer.on('transportclose', () => state.consumers.delete(consumer.id));
			const peer = state.peers.get(data.peerId) || addPeerTile({ id: data.peerId, displayName: data.peerId });
			attachTrack(peer, consumer);
			return {};
		}
		default:
			throw new Error(`unknown request ${method}`);
	}
}

async function onNotification(method, data) {
	switch (method) {
		case 'newPeer':
			addPeerTile(data);
			logEvent(`${data.displayName} joined`);
			break;
		case 'peerClosed': {
			const peer = state.peers.get(data.peerId);
			if (peer) logEvent(`${peer.info.displayName} left`);
			removePeerTile(data.peerId);
			break;
		}
		case 'peerDisplayNameChanged':
			addPeerTile({ ...(state.peers.get(data.peerId) || {}).info, id: data.peerId, displayName: data.displayName });
			break;
		case 'consumerClosed': {
			const entry = state.consumers.get(data.consumerId);
			if (!entry) break;
			entry.consumer.close();
			state.consumers.delete(data.consumerId);
			refreshPeerTile(entry.peerId);
			break;
		}
		case 'consumerPaused':
		case 'consumerResumed': {
			const entry = state.consumers.get(data.consumerId);
			if (!entry) break;
			entry.producerPaused = method === 'consumerPaused';
			refreshPeerTile(entry.peerId);
			break;
		}
		case 'consumerScore': {
			const entry = state.consumers.get(data.consumerId);
			if (entry) entry.score = data.score;
			break;
		}
		case 'producerScore':
			break;
		case 'activeSpeaker':
			for (const peer of state.peers.values()) peer.tile.classList.toggle('speaking', peer.info.id === data.peerId);
			break;
		case 'roomMoved':
			await onRoomMoved(data);
			break;
		case 'roomClosed':
			banner(`The room was closed: ${data.reason}`, true);
			logEvent(`room closed: ${data.reason}`);
			setStatus('room closed', 'error');
			break;
		default:
			break;
	}
}

async function onRoomMoved(data) {
	state.moves += 1;
	banner(`The room's media worker stopped (${data.reason}); reconnecting on a new one...`);
	logEvent('media worker restarted: reconnecting');
	setStatus('reconnecting media', 'connecting');
	try {
		closeMedia();
		await setupMedia();
		await state.signaling.request('rejoin');
		await startProducing();
		banner(null);
		setStatus('connected', 'connected');
		logEvent(`reconnected (worker pid ${data.workerPid})`);
	} catch (error) {
		fail('reconnect after room move', error);
		banner(`Reconnecting failed: ${error.message}. Reload the page to rejoin.`, true);
		setStatus('error', 'error');
	}
}

// Signaling dropped: rejoin from scratch (a few tries), keeping our tracks.
async function onSignalingClosed(event) {
	state.joined = false;
	closeMedia();
	for (const peerId of [...state.peers.keys()]) removePeerTile(peerId);
	if (state.leaving) return;
	if (event && event.code === 4000) {
		banner('This room was opened in another tab with the same identity.', true);
		return;
	}
	state.reconnects += 1;
	if (state.reconnects > 5) {
		banner('The connection to the server is lost. Reload the page to rejoin.', true);
		setStatus('disconnected', 'error');
		return;
	}
	banner('The connection to the server dropped; reconnecting...');
	setStatus('reconnecting', 'connecting');
	await new Promise((resolve) => setTimeout(resolve, 1000 * state.reconnects));
	try {
		await joinRoom();
		banner(null);
		state.reconnects = 0;
	} catch (error) {
		fail('reconnect', error);
		onSignalingClosed(null);
	}
}

// ------------------------------------------------------------------ stats

function scoreClass(score) {
	if (score >= 8) return 'good';
	if (score >= 5) return 'fair';
	return 'poor';
}

async function pollStats() {
	if (!state.joined || !$('#stats-on').checked) return;
	let stats;
	try {
		stats = await state.signaling.request('getStats');
	} catch {
		return;
	}
	state.lastStats = stats;
	const tbody = $('#stats tbody');
	tbody.textContent = '';
	const perPeer = new Map();
	for (const [consumerId, s] of Object.entries(stats.consumers)) {
		const entry = state.consumers.get(consumerId);
		const peer = state.peers.get(s.peerId);
		const name = peer ? peer.info.displayName : s.peerId;
		const score = s.score ? s.score.score : 0;
		const producerScore = s.score ? s.score.producerScore : 0;
		const kbps = Math.round((s.bitrate || 0) / 1000);
		const row = document.createElement('tr');
		const cells = [
			name,
			s.kind + (s.producerPaused ? ' (paused)' : ''),
			null,
			kbps,
			s.packetCount || 0,
			s.packetsLost || 0,
		];
		cells.forEach((value, i) => {
			const td = document.createElement('td');
			if (i === 2) {
				const span = document.createElement('span');
				span.className = `score ${scoreClass(score)}`;
				span.textContent = `${score}/${producerScore}`;
				span.title = 'consumer score / producer score (0-10)';
				td.append(span);
			} else {
				td.textContent = value;
				if (i >= 3) td.className = 'num';
			}
			row.append(td);
		});
		tbody.append(row);
		if (entry) {
			const lines = perPeer.get(s.peerId) || [];
			lines.push(`${s.kind} ${kbps} kbps  score ${score}  lost ${s.packetsLost || 0}`);
			perPeer.set(s.peerId, lines);
		}
	}
	$('#stats-empty').hidden = tbody.children.length > 0;
	for (const [peerId, peer] of state.peers) {
		peer.tile.querySelector('.tile-stats').textContent = (perPeer.get(peerId) || []).join('\n');
	}
}

// ------------------------------------------------------------------ join / leave

function wsUrl() {
	const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
	const query = new URLSearchParams({ roomId: state.roomId, peerId: state.peerId });
	return `${scheme}://${location.host}/ws?${query}`;
}

async function joinRoom() {
	setStatus('connecting', 'connecting');
	state.signaling = new Signaling(wsUrl(), {
		onRequest,
		onNotification,
		onClose: (event) => onSignalingClosed(event),
	});
	await state.signaling.open();
	const routerRtpCapabilities = await state.signaling.request('getRouterRtpCapabilities');
	if (!state.device) {
		state.device = await createDevice();
		await state.device.load({ routerRtpCapabilities });
	}
	await setupMedia();
	const { peers } = await state.signaling.request('join', {
		displayName: state.displayName,
		device: { name: navigator.userAgentData ? navigator.userAgentData.brands.map((b) => b.brand).pop() : 'browser', flag: 'browser' },
		rtpCapabilities: state.device.rtpCapabilities,
	});
	state.joined = true;
	for (const info of peers) addPeerTile(info);
	setStatus('connected', 'connected');
	logEvent(`joined room ${state.roomId} as ${state.displayName}` + (peers.length ? ` (${peers.length} other${peers.length > 1 ? 's' : ''})` : ''));
	await startProducing();
}

async function leave() {
	state.leaving = true;
	clearInterval(state.statsTimer);
	closeMedia();
	for (const track of Object.values(state.tracks)) if (track) track.stop();
	if (state.signaling) state.signaling.close();
	location.href = `${location.pathname}?room=${encodeURIComponent(state.roomId)}`;
}

function showRoom() {
	$('#join').hidden = true;
	$('#room').hidden = false;
	$('#room-name').textContent = `room: ${state.roomId}`;
	$('#me-name').textContent = `${state.displayName} (me)`;
	document.title = `${state.roomId} · pymediasoup demo`;
	refreshMyTile();
}

async function start(event) {
	if (event) event.preventDefault();
	state.displayName = $('#display-name').value.trim() || `guest-${state.peerId.slice(0, 4)}`;
	state.roomId = $('#room-id').value.trim();
	state.wanted = { mic: $('#join-mic').checked, cam: $('#join-cam').checked };
	localStorage.setItem('pymediasoup-demo-name', state.displayName);
	const url = new URL(location.href);
	url.searchParams.set('room', state.roomId);
	history.replaceState(null, '', url);
	showRoom();
	try {
		await joinRoom();
	} catch (error) {
		fail('join', error);
		banner(`Could not join: ${error.message}`, true);
		setStatus('error', 'error');
	}
	state.statsTimer = setInterval(pollStats, STATS_INTERVAL_MS);
}

function init() {
	$('#room-id').value = state.roomId || randomId();
	$('#display-name').value = state.displayName;
	if (params.get('mic') === '0') $('#join-mic').checked = false;
	if (params.get('cam') === '0') $('#join-cam').checked = false;
	$('#join-form').addEventListener('submit', start);
	$('#toggle-mic').addEventListener('click', () => toggle('mic'));
	$('#toggle-cam').addEventListener('click', () => toggle('cam'));
	$('#leave').addEventListener('click', leave);
	$('#copy-link').addEventListener('click', () => {
		navigator.clipboard.writeText(`${location.origin}${location.pathname}?room=${encodeURIComponent(state.roomId)}`)
			.then(() => logEvent('link copied'), () => logEvent(location.href));
	});
	window.addEventListener('beforeunload', () => {
		state.leaving = true;
		if (state.signaling) state.signaling.close();
	});
	if (params.get('autojoin') === '1' && state.roomId) start(null);
}

// For automated tests (tests/demo): a summary of what this page has.
window.demo = {
	state,
	summary() {
		return {
			joined: state.joined,
			roomId: state.roomId,
			peerId: state.peerId,
			peers: [...state.peers.values()].map((p) => p.info.displayName),
			producers: Object.fromEntries(Object.entries(state.producers).map(([k, p]) => [k, p ? { id: p.id, paused: p.paused } : null])),
			consumers: [...state.consumers.values()].map(({ consumer, peerId, producerPaused }) => ({
				id: consumer.id, kind: consumer.kind, peerId, producerPaused, trackState: consumer.track.readyState,
			})),
			sendState: state.sendTransport ? state.sendTransport.connectionState : null,
			recvState: state.recvTransport ? state.recvTransport.connectionState : null,
			moves: state.moves,
			stats: state.lastStats,
			errors: state.errors,
		};
	},
};

init();
