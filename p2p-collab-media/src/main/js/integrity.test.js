// @ts-check
// node --test p2p-collab-media/src/main/js/integrity.test.js
// Runs the shared vectors of p2p-collab-core/src/test/resources/fixtures/integrity.json (the Java
// SegmentVerifier passes the same ones) against WebCrypto's Ed25519.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  CONTEXT, INIT, IntegrityError, MAX_SIGNATURES_CHARS, createVerifier, decodeBase64Url, encodeBase64Url,
  fileName, parseEntry, refFromFileName, statement,
} from './integrity.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../../../p2p-collab-core/src/test/resources/fixtures/integrity.json', import.meta.url), 'utf8'));
const { subtle } = globalThis.crypto;
const hex = (/** @type {string} */ h) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (/** @type {Uint8Array} */ b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const refOf = (/** @type {any} */ f) => ({ stream: f.stream, track: f.track, number: f.number });
const verifier = await createVerifier(subtle, fixture.key.publicKey);

test('context is the one in the fixture', () => {
  assert.equal(CONTEXT, fixture.context);
});

describe('segments', () => {
  for (const f of fixture.segments) {
    test(`${f.name}: statement, file name and verification`, async () => {
      const bytes = hex(f.segment);
      assert.equal(fileName(refOf(f)), f.fileName);
      assert.deepEqual(refFromFileName(f.stream, f.fileName), refOf(f));
      assert.equal(toHex(statement(refOf(f), bytes.length, hex(f.sha256))), f.statement);
      assert.equal(await verifier.verify(refOf(f), f.entry), true);
      assert.equal(await verifier.matches(f.entry, bytes), true);
      assert.equal(await verifier.verifySegment(refOf(f), f.entry, bytes), true);
    });
  }
});

describe('rejections', () => {
  for (const f of fixture.rejections) {
    test(`${f.name}: ${f.why}`, async () => {
      assert.equal(await verifier.verifySegment(refOf(f), f.entry, hex(f.segment)), false);
    });
  }
});

test('signatures file: trusts exactly the good entries', async () => {
  const { stream, json, trusted, rejected } = fixture.signaturesFile;
  const result = await verifier.verifyAll(stream, json);
  assert.deepEqual([...result.trusted.keys()], trusted);
  assert.deepEqual([...result.rejected.keys()], rejected);
  assert.equal(result.rejected.get('chunk-stream0-00043.m4s'), 'signature does not verify');
  for (const [name, { ref, entry }] of result.trusted) {
    const segment = fixture.segments.find((/** @type {any} */ s) => s.stream === stream && s.fileName === name);
    assert.deepEqual(ref, refOf(segment));
    assert.deepEqual(entry, segment.entry);
  }
});

test('signatures file: bound to its stream', async () => {
  const result = await verifier.verifyAll('other', fixture.signaturesFile.json);
  assert.equal(result.trusted.size, 0);
});

describe('invalid files', () => {
  for (const f of fixture.invalidFiles) {
    test(f.name, async () => {
      await assert.rejects(verifier.verifyAll('main', f.json), (e) => e instanceof IntegrityError && e.code === f.error);
    });
  }
  test('oversize', async () => {
    const huge = `{"x":"${'a'.repeat(MAX_SIGNATURES_CHARS)}"}`;
    await assert.rejects(verifier.verifyAll('main', huge), (e) => e instanceof IntegrityError && e.code === 'FRAME_TOO_LARGE');
  });
});

describe('invalid public keys', () => {
  for (const f of fixture.invalidPublicKeys) {
    test(f.name, async () => {
      await assert.rejects(createVerifier(subtle, f.publicKey), TypeError);
    });
  }
});

test('another key verifies nothing of this one', async () => {
  const other = await createVerifier(subtle, fixture.otherKey.publicKey);
  for (const f of fixture.segments) assert.equal(await other.verify(refOf(f), f.entry), false);
});

test('a key pair made here round-trips with the statement format', async () => {
  const pair = /** @type {CryptoKeyPair} */ (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']));
  const publicKey = encodeBase64Url(new Uint8Array(await subtle.exportKey('raw', pair.publicKey)));
  const mine = await createVerifier(subtle, publicKey);
  const bytes = new Uint8Array(40_000).fill(7);
  const sha256 = new Uint8Array(await subtle.digest('SHA-256', bytes));
  const ref = { stream: 'live', track: '0', number: 1 };
  const sig = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, pair.privateKey, statement(ref, bytes.length, sha256)));
  const entry = { length: bytes.length, sha256: toHex(sha256), sig: encodeBase64Url(sig) };
  assert.equal(await mine.verifySegment(ref, entry, bytes), true);
  assert.equal(await mine.verifySegment({ ...ref, number: 2 }, entry, bytes), false);
  assert.equal(await verifier.verifySegment(ref, entry, bytes), false);
});

test('file names map one to one', () => {
  assert.equal(refFromFileName('main', 'chunk-stream0-42.m4s'), null);
  assert.equal(refFromFileName('main', 'chunk-stream0-4294967295.m4s'), null);
  assert.equal(refFromFileName('main', 'init-stream.m4s'), null);
  assert.equal(refFromFileName('main', 'chunk-stream.x-00001.m4s'), null);
  assert.equal(refFromFileName('../x', 'init-stream0.m4s'), null);
  assert.deepEqual(refFromFileName('main', 'chunk-stream a'.replace(' ', '') + '-b-123456.m4s'), { stream: 'main', track: 'a-b', number: 123456 });
  assert.deepEqual(refFromFileName('main', 'init-stream1.m4s'), { stream: 'main', track: '1', number: INIT });
});

test('entries and base64url are checked strictly', () => {
  const good = fixture.segments[0].entry;
  assert.deepEqual(parseEntry({ ...good, extra: [1] }), good);
  for (const bad of [null, [], 'x', { ...good, length: 0 }, { ...good, length: -1 }, { ...good, length: 2 ** 32 },
    { ...good, length: '3' }, { ...good, sha256: good.sha256.toUpperCase() }, { ...good, sig: `${good.sig}==` }, { ...good, sig: undefined }]) {
    assert.throws(() => parseEntry(bad), TypeError);
  }
  assert.throws(() => decodeBase64Url('AA', 2), TypeError);
  assert.deepEqual(decodeBase64Url('AAE', 2), Uint8Array.of(0, 1));
  assert.throws(() => decodeBase64Url('AAF', 2), TypeError);
});

test('a WebCrypto without Ed25519 is told apart from a bad key', async () => {
  const noEd25519 = /** @type {SubtleCrypto} */ (/** @type {unknown} */ ({
    importKey: async () => { throw new DOMException('Unrecognized algorithm name', 'NotSupportedError'); },
  }));
  await assert.rejects(createVerifier(noEd25519, fixture.key.publicKey), (e) => e instanceof Error && e.name === 'NotSupportedError');
});
