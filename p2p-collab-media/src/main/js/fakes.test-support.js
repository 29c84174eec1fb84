// @ts-check
// Test doubles for the browser objects the SDK takes injected: an in-memory WebRTC "network",
// a signaling relay, a manual clock and an HTTP origin. Not shipped (tests only).

/** A clock whose timers fire only when the test advances it. */
export class ManualClock {
  constructor(start = 1_000_000) { this.t = start; /** @type {{at: number, fn: () => void, id: number}[]} */ this.timers = []; this.nextId = 1; }
  now = () => this.t;
  setTimeout = (/** @type {() => void} */ fn, /** @type {number} */ ms = 0) => { const id = this.nextId++; this.timers.push({ at: this.t + ms, fn, id }); return /** @type {any} */ (id); };
  clearTimeout = (/** @type {any} */ id) => { this.timers = this.timers.filter((x) => x.id !== id); };
  /** Advances time, firing due timers in order, letting promises settle between them. */
  async advance(/** @type {number} */ ms) {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await settle();
  }
}

export async function settle() { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); }

/** An in-memory WebRTC: offers name the offering connection; channels deliver asynchronously. */
export function fakeRtc() {
  /** @type {Map<string, FakePC>} */
  const byId = new Map();
  let n = 0;
  class FakeChannel {
    constructor(label) { this.label = label; this.readyState = 'connecting'; this.bufferedAmount = 0; this.bufferedAmountLowThreshold = 0; /** @type {FakeChannel | null} */ this.other = null; this.sent = []; }
    send(b) {
      if (this.readyState !== 'open') throw new Error('channel not open');
      const copy = Uint8Array.from(b);
      this.sent.push(copy);
      const other = this.other;
      setImmediate(() => other?.onmessage?.({ data: copy.buffer }));
    }
    close() {
      if (this.readyState === 'closed') return;
      this.readyState = 'closed';
      setImmediate(() => this.onclose?.());
      this.other?.close();
    }
    open() { this.readyState = 'open'; setImmediate(() => this.onopen?.()); }
  }
  class FakePC {
    constructor() { this.id = `pc${++n}`; byId.set(this.id, this); this.connectionState = 'new'; /** @type {FakeChannel | null} */ this.channel = null; }
    createDataChannel(label) { this.channel = new FakeChannel(label); return this.channel; }
    async createOffer() { return { type: 'offer', sdp: `fake-offer ${this.id}` }; }
    async createAnswer() { return { type: 'answer', sdp: `fake-answer ${this.id}` }; }
    async setLocalDescription(d) { this.localDescription = d; }
    async setRemoteDescription(d) {
      this.remoteDescription = d;
      const other = byId.get(d.sdp.split(' ')[1]);
      if (!other) throw new Error('unknown remote');
      if (d.type === 'offer') {
        const mine = new FakeChannel(other.channel?.label);
        mine.other = other.channel; if (other.channel) other.channel.other = mine;
        this.channel = mine;
        this.pending = () => { mine.open(); other.channel?.open(); this.ondatachannel?.({ channel: mine }); };
      } else {
        other.pending?.();
      }
    }
    async addIceCandidate() {}
    close() { this.connectionState = 'closed'; this.channel?.close(); }
  }
  return { RTCPeerConnection: /** @type {any} */ (FakePC) };
}

/** A signaling client double: records state and relays signals to the other loaders' clients. */
export class FakeSignaling extends EventTarget {
  constructor(peerId, relay) { super(); this.peerId = peerId; this.relay = relay; relay.set(peerId, this); this.states = []; this.peerRequests = 0; }
  signal(to, kind, body) { const t = this.relay.get(to); setImmediate(() => t?.dispatchEvent(new CustomEvent('signal', { detail: { type: 'signal', from: this.peerId, kind, ...body } }))); }
  setState(s) { this.states.push(s); }
  requestPeers() { this.peerRequests++; }
  report(peer, stream, reason) { (this.reports ??= []).push({ peer, stream, reason }); }
}

/** An HTTP origin serving segments and their hashes; counts what it served. */
export async function fakeOrigin(segments) {
  const hashes = {};
  for (const [name, data] of Object.entries(segments)) {
    hashes[name] = Buffer.from(await crypto.subtle.digest('SHA-256', data)).toString('hex');
  }
  const origin = {
    served: [],
    hashes,
    fetch: async (url) => {
      const name = String(url).split('/').pop();
      if (name === 'hashes.json') return new Response(JSON.stringify(origin.hashes), { status: 200 });
      const data = segments[name];
      if (!data) return new Response('', { status: 404 });
      origin.served.push(name);
      return new Response(data, { status: 200 });
    },
  };
  return origin;
}

/**
 * A peer driven by the test, speaking the wire protocol through a bare PeerLink: it answers one
 * offer, or offers itself (`offerTo`), and hands every wire message it receives to `onMessage`.
 * @param {{id: string, relay: Map<string, FakeSignaling>, rtc: ReturnType<typeof fakeRtc>, clock: ManualClock, PeerLink: any}} o
 */
export function rawPeer(o) {
  const signaling = new FakeSignaling(o.id, o.relay);
  const peer = {
    id: o.id,
    signaling,
    /** @type {any} */ link: null,
    /** @type {any[]} */ received: [],
    /** @type {(m: any) => void} */ onMessage: () => {},
    send: (m) => peer.link.send(m),
    /** @param {string} to */
    offerTo(to) { peer.link = make(to, true); },
  };
  const make = (to, initiator) => {
    const link = new o.PeerLink({
      id: to, superPeer: false, initiator, RTCPeerConnection: o.rtc.RTCPeerConnection, rtcConfig: {},
      sendSignal: (kind, body) => signaling.signal(to, kind, body),
      setTimeout: o.clock.setTimeout, clearTimeout: o.clock.clearTimeout, idleMs: Infinity,
    });
    link.addEventListener('message', (e) => { peer.received.push(e.detail); peer.onMessage(e.detail); });
    return link;
  };
  signaling.addEventListener('signal', (e) => {
    const m = e.detail;
    if (!peer.link && m.kind === 'offer') peer.link = make(m.from, false);
    if (peer.link?.id === m.from) peer.link.handleSignal(m);
  });
  return peer;
}
