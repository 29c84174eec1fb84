// The browser SDK against the wire-protocol conformance scenarios (fixtures/conformance.json,
// docs/protocol.md §2 and §5): a loader with one data channel to a scripted tester.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileName } from './content-loader.js';
import { statementMessage } from './stream-state.js';
import { INIT, MAX_PAYLOAD, split } from './wire.js';
import { ID, segment, signedSwarm, url } from './loader.test-support.js';
import { settle } from './fakes.test-support.js';

const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../p2p-collab-core/src/test/resources/fixtures/conformance.json', import.meta.url)), 'utf8'));

/** '0/init' → {track, number, name}. @param {string} s */
function ref(s) {
  const [track, n] = s.split('/');
  const number = n === 'init' ? INIT : Number(n);
  return { track, number, name: fileName(track, number) };
}
/** The bytes of a segment as the fixture defines them. @param {string} s @param {number} [size] */
const bytesOf = (s, size) => { const r = ref(s); return segment(r.number === INIT ? 0 : r.number, size ?? (r.number === INIT ? 600 : 40_000)); };
const hex = (h) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Every segment a scenario names, with its size. */
function segmentsOf(scenario) {
  const out = {};
  const visit = (steps) => {
    for (const st of steps) {
      if (st.repeat) visit(st.steps);
      for (const s of [...(st.have ?? []), ...(st.expect?.have ?? [])]) out[ref(s).name] ??= bytesOf(s);
      if (st.sendRequests) out[ref(st.sendRequests.segment).name] ??= bytesOf(st.sendRequests.segment);
      if (st.load) out[ref(st.load.segment).name] = bytesOf(st.load.segment, st.load.size);
    }
  };
  for (const s of scenario.holds ?? []) out[ref(s).name] = bytesOf(s);
  visit(scenario.steps);
  return out;
}

/**
 * How the tester answers a REQUEST. The PUT's stream is signed: every answer with DATA opens
 * with the segment's STATEMENT, unless the scenario says otherwise.
 * @param {string} how @param {any} tester @param {any} m @param {Record<string, Uint8Array>} segments @param {Record<string, any>} signatures
 */
function answer(how, tester, m, segments, signatures) {
  const name = fileName(m.track, m.number);
  const data = segments[name];
  const chunks = data ? split(m.requestId, data) : [];
  const statement = signatures[name] ? statementMessage(m.requestId, signatures[name]) : null;
  if (statement && !['nothing', 'not-found', 'no-statement'].includes(how)) {
    if (how === 'forged-statement') statement.sig[0] ^= 0x01;
    tester.send(statement);
  }
  switch (how) {
    case 'nothing': return;
    case 'not-found': return tester.send({ type: 'ERROR', requestId: m.requestId, code: 1, message: 'not held' });
    case 'first-chunk': return tester.send(chunks[0]);
    case 'wrong-length': return tester.send({ ...chunks[0], totalLength: data.length + 1 });
    case 'out-of-order': tester.send(chunks[0]); return tester.send(chunks[2]);
    case 'corrupt': for (const c of split(m.requestId, data.map((b) => b ^ 0x5a))) tester.send(c); return;
    default: for (const c of chunks) tester.send(c); // chunks, no-statement, forged-statement
  }
}

for (const scenario of fixture.scenarios) {
  test(`conformance: ${scenario.name} (${scenario.protocol})`, async () => {
    const segments = segmentsOf(scenario);
    const { clock, loaders: [put], raw, signatures } = await signedSwarm(1, segments);
    for (const s of scenario.holds ?? []) await put.load(url(ref(s).name), clock.now());
    const tester = raw(ID('t'));
    let how = 'chunks';
    tester.onMessage = (m) => { if (m.type === 'REQUEST') answer(how, tester, m, segments, signatures); };
    tester.offerTo(put.signaling.peerId);
    await clock.advance(10);
    const n = put.neighbours.get(tester.id);
    n.link.pin(); // the idle rule is not what these scenarios are about
    let seen = 0;
    let nextRequestId = 1;
    const loads = [];

    const what = `${scenario.name}: ${scenario.why}`;
    /** Throws unless `e` holds for what happened since the previous expectation. */
    const check = (e) => {
      const since = tester.received.slice(seen);
      if (e.received) {
        const got = since.filter((m) => m.type !== 'HAVE');
        assert.equal(got.length, e.received.length, `${what}: received ${JSON.stringify(got.map((m) => m.type))}`);
        e.received.forEach((x, i) => { for (const [k, v] of Object.entries(x)) assert.equal(got[i][k], v, `${what}: message ${i} ${k}`); });
      }
      if (e.have) {
        const have = since.find((m) => m.type === 'HAVE');
        assert.deepEqual(new Set(have?.held.map((h) => fileName(h.track, h.number))), new Set(e.have.map((s) => ref(s).name)), what);
      }
      const all = tester.received;
      const complete = new Map();
      for (const m of all) if (m.type === 'DATA' && m.offset + m.payload.length === m.totalLength) complete.set(m.requestId, m.totalLength);
      if (e.served) for (const [id, len] of Object.entries(e.served)) assert.equal(complete.get(Number(id)), len, `${what}: request ${id} served`);
      if (e.servedCount !== undefined) assert.equal(complete.size, e.servedCount, `${what}: served`);
      if (e.busyCount !== undefined) assert.equal(new Set(all.filter((m) => m.type === 'ERROR' && m.code === 2).map((m) => m.requestId)).size, e.busyCount, `${what}: BUSY`);
      if (e.open !== undefined) {
        const open = tester.link?.isOpen === true && put.neighbours.get(tester.id)?.link.isOpen === true;
        assert.equal(open, e.open, `${what}: open`);
      }
      if ('reported' in e) {
        const reasons = (put.signaling.reports ?? []).filter((r) => r.peer === tester.id).map((r) => r.reason);
        assert.deepEqual(reasons, e.reported === null ? [] : [e.reported], `${what}: reported`);
      }
    };

    const run = async (steps) => {
      for (const st of steps) {
        if (st.repeat) { for (let i = 0; i < st.repeat; i++) await run(st.steps); continue; }
        if (st.send) tester.send(st.send.payload ? { ...st.send, payload: hex(st.send.payload) } : st.send);
        if (st.sendHex) {
          const b = new Uint8Array(Math.max(st.padTo ?? 0, st.sendHex.length / 2));
          b.set(hex(st.sendHex));
          tester.link.channel.send(b);
        }
        if (st.sendRequests) {
          const r = ref(st.sendRequests.segment);
          for (let i = 0; i < st.sendRequests.count; i++) tester.send({ type: 'REQUEST', requestId: nextRequestId++, stream: 'main', track: r.track, number: r.number });
        }
        if (st.have) tester.send({ type: 'HAVE', stream: 'main', held: st.have.map((s) => ({ track: ref(s).track, number: ref(s).number })) });
        if (st.answer) how = st.answer;
        if (st.load) {
          // The PUT decides at this instant of the manual clock; its hashing and signature checks
          // take real time, so wait (without moving the clock) until it asked or gave up.
          const asked = tester.received.filter((m) => m.type === 'REQUEST').length;
          let done = false;
          loads.push(put.load(url(ref(st.load.segment).name), clock.now() + st.load.deadlineMs).catch(() => null).finally(() => { done = true; }));
          for (let i = 0; i < 500 && !done && tester.received.filter((m) => m.type === 'REQUEST').length === asked; i++) await settle();
        }
        if (st.offerAgain) { tester.link = null; tester.offerTo(put.signaling.peerId); }
        if (st.advanceMs !== undefined) await clock.advance(st.advanceMs);
        if (st.expect) {
          // Hashing and signature checks take real time while the clock stands still: check
          // until the expectation holds, or fail with what it saw last.
          for (let i = 0; ; i++) {
            try {
              check(st.expect);
              break;
            } catch (e) {
              if (i >= 300) throw e;
              await settle();
            }
          }
          seen = tester.received.length;
        }
      }
    };
    await run(scenario.steps);
    // Let any fetch still waiting finish (over HTTP) so that nothing outlives the test.
    await clock.advance(10_000);
    await Promise.all(loads);
    assert.ok(MAX_PAYLOAD === 16_384);
  });
}
