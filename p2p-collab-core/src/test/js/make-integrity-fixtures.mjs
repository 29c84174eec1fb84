// Writes ../resources/fixtures/integrity.json (docs/protocol.md "Signed integrity") with Node's own
// Ed25519 (OpenSSL), independently of the Java signer, so the Java and JS tests check both
// implementations against a third. Deterministic: rerun it and the file does not change.
//   node p2p-collab-core/src/test/js/make-integrity-fixtures.mjs
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const CONTEXT = 'p2p-collab/segment/v1';
const INIT = 0xffffffff;
// RFC 8032 §7.1, TEST 1 and TEST 2: well-known test keys, never to be used for a real stream.
const KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const OTHER = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

const hex = (b) => Buffer.from(b).toString('hex');
const b64u = (b) => Buffer.from(b).toString('base64url');
const sha256 = (b) => createHash('sha256').update(b).digest();
const privateKey = (seed) =>
  createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed, 'hex')]), format: 'der', type: 'pkcs8' });
const rawPublic = (seed) => createPublicKey(privateKey(seed)).export({ format: 'der', type: 'spki' }).subarray(12);

function statement(stream, track, number, length, digest) {
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
  const str8 = (s) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s, 'ascii')]);
  return Buffer.concat([Buffer.from(CONTEXT, 'ascii'), Buffer.from([0]), str8(stream), str8(track), u32(number), u32(length), digest]);
}
function fileName(track, number) {
  return number === INIT ? `init-stream${track}.m4s` : `chunk-stream${track}-${String(number).padStart(5, '0')}.m4s`;
}
function entry(seed, stream, track, number, segment) {
  const digest = sha256(segment);
  const sig = sign(null, statement(stream, track, number, segment.length, digest), privateKey(seed));
  return { length: segment.length, sha256: hex(digest), sig: b64u(sig) };
}

const seg = (text) => Buffer.from(text, 'utf8');
const segments = [
  { name: 'init-segment', stream: 'main', track: '0', number: INIT, segment: seg('\0\0\0\x18ftypiso6 init of video') },
  { name: 'video-42', stream: 'main', track: '0', number: 42, segment: seg('\0\0\0\x10moof video segment 42 bytes') },
  { name: 'audio-7', stream: 'main', track: '1', number: 7, segment: seg('audio segment seven') },
  { name: 'one-byte-long-ids', stream: 'cam.q3L0_x-Y', track: 'v1080p', number: 0, segment: Buffer.from([0xff]) },
].map((s) => {
  const digest = sha256(s.segment);
  return {
    name: s.name, stream: s.stream, track: s.track, number: s.number, fileName: fileName(s.track, s.number),
    segment: hex(s.segment), sha256: hex(digest),
    statement: hex(statement(s.stream, s.track, s.number, s.segment.length, digest)),
    entry: entry(KEY, s.stream, s.track, s.number, s.segment),
  };
});

const v42 = segments[1];
const v42bytes = Buffer.from(v42.segment, 'hex');
const flipped = (b64, bit) => { const b = Buffer.from(b64, 'base64url'); b[bit >> 3] ^= 1 << (bit & 7); return b64u(b); };
const tampered = Buffer.from(v42bytes); tampered[10] ^= 0x01;
const forged = seg('\0\0\0\x10moof FORGED segment 42!!');
// S + L: the same signature in a non-canonical spelling that lax verifiers accept (RFC 8032 §5.1.7 requires S < L).
const sig = Buffer.from(v42.entry.sig, 'base64url');
let s = 0n; for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]);
s += L;
const malleable = Buffer.from(sig); for (let i = 0; i < 32; i++) { malleable[32 + i] = Number(s & 0xffn); s >>= 8n; }
if (s !== 0n) throw new Error('S + L does not fit');

const reject = (name, why, over) => ({ name, why, stream: 'main', track: '0', number: 42, segment: v42.segment, entry: v42.entry, ...over });
const rejections = [
  reject('tampered-byte', 'one segment byte flipped: the SHA-256 no longer matches the signed one', { segment: hex(tampered) }),
  reject('truncated-segment', 'last byte missing: the length no longer matches', { segment: hex(v42bytes.subarray(0, v42bytes.length - 1)) }),
  reject('wrong-stream', 'a genuine entry of main/0/42 offered for other/0/42', { stream: 'other' }),
  reject('wrong-track', 'a genuine entry of main/0/42 offered for main/1/42', { track: '1' }),
  reject('wrong-number', 'a genuine entry of main/0/42 offered for main/0/43 (replay)', { number: 43 }),
  reject('init-for-media', 'a genuine entry of main/0/42 offered for the init segment of track 0', { number: INIT }),
  reject('another-key', 'the segment signed by a key that is not the stream key', { entry: entry(OTHER, 'main', '0', 42, v42bytes) }),
  reject('forged-hash', 'forged bytes with their own valid-looking SHA-256 and length but the genuine signature', {
    segment: hex(forged), entry: { length: forged.length, sha256: hex(sha256(forged)), sig: v42.entry.sig } }),
  reject('length-changed', 'the signed SHA-256 with another length', { entry: { ...v42.entry, length: v42.entry.length + 1 } }),
  reject('signature-bit-flipped', 'one bit of R flipped', { entry: { ...v42.entry, sig: flipped(v42.entry.sig, 3) } }),
  reject('signature-s-bit-flipped', 'one bit of S flipped', { entry: { ...v42.entry, sig: flipped(v42.entry.sig, 300) } }),
  reject('non-canonical-s', 'S + L: a malleated copy of the genuine signature; RFC 8032 requires S < L', { entry: { ...v42.entry, sig: b64u(malleable) } }),
];

const e = Object.fromEntries(segments.filter((x) => x.stream === 'main').map((x) => [x.fileName, x.entry]));
const json = [
  `"init-stream0.m4s":${JSON.stringify(e['init-stream0.m4s'])}`,
  `"chunk-stream0-00042.m4s":${JSON.stringify(e['chunk-stream0-00042.m4s'])}`,
  // Unknown fields are ignored; an integral length may be spelled as a float.
  `"chunk-stream1-00007.m4s":{"length":${e['chunk-stream1-00007.m4s'].length}.0,"sha256":"${e['chunk-stream1-00007.m4s'].sha256}","sig":"${e['chunk-stream1-00007.m4s'].sig}","future":{"x":[1]}}`,
  `"chunk-stream0-00043.m4s":${JSON.stringify(e['chunk-stream0-00042.m4s'])}`,
  `"chunk-stream0-00044.m4s":"${e['chunk-stream0-00042.m4s'].sha256}"`,
  `"chunk-stream0-00045.m4s":{"length":${v42.entry.length},"sha256":"${v42.entry.sha256}"}`,
  `"chunk-stream0-00046.m4s":{"length":${v42.entry.length},"sha256":"${v42.entry.sha256}","sig":"${v42.entry.sig.slice(0, 85)}"}`,
  `"chunk-stream0-00047.m4s":{"length":${v42.entry.length},"sha256":"${v42.entry.sha256.toUpperCase()}","sig":"${v42.entry.sig}"}`,
  `"chunk-stream0-00048.m4s":{"length":0,"sha256":"${v42.entry.sha256}","sig":"${v42.entry.sig}"}`,
  `"chunk-stream0-00049.m4s":{"length":"${v42.entry.length}","sha256":"${v42.entry.sha256}","sig":"${v42.entry.sig}"}`,
  `"chunk-stream0-00050.m4s":{"length":1.5,"sha256":"${v42.entry.sha256}","sig":"${v42.entry.sig}"}`,
  `"chunk-stream0-00051.m4s":{"length":${v42.entry.length},"sha256":"${v42.entry.sha256}","sig":"${Buffer.from(v42.entry.sig, 'base64url').toString('base64').slice(0, 86)}"}`,
  `"chunk-stream0-00052.m4s":{"length":4294967296,"sha256":"${v42.entry.sha256}","sig":"${v42.entry.sig}"}`,
  `"chunk-stream0-00053.m4s":null`,
  `"chunk-stream0-42.m4s":${JSON.stringify(e['chunk-stream0-00042.m4s'])}`,
  `"../chunk-stream0-00042.m4s":${JSON.stringify(e['chunk-stream0-00042.m4s'])}`,
  `"hashes.json":{}`,
].join(',');
if (!Buffer.from(v42.entry.sig, 'base64url').toString('base64').slice(0, 86).match(/[+/]/)) throw new Error('pick a signature with + or / in standard base64');

// The same 32 bytes with one of the two unused low bits of the last character set.
function nonCanonical(b64) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = abc.indexOf(b64.at(-1));
  if (last % 4 !== 0) throw new Error('not canonical');
  return b64.slice(0, -1) + abc[last + 1];
}

const fixture = {
  about: 'Signed-integrity vectors (docs/protocol.md "Signed integrity", §5), made by src/test/js/make-integrity-fixtures.mjs. Keys are RFC 8032 test keys: seed and raw public key, base64url. Hex fields are bytes. \'segments\': signing segment (hex) as (stream, track, number) with key.seed gives statement and entry; entry verifies under key.publicKey. \'rejections\': verifying segment as (stream, track, number) with entry under key.publicKey fails. \'signaturesFile\': verifyAll(stream, json) under key.publicKey trusts exactly \'trusted\' (file names) and rejects exactly \'rejected\' (keys). \'invalidFiles\': verifyAll fails as a whole with \'error\'. \'invalidPublicKeys\': refused as a stream key. Numbers: 4294967295 is the init segment.',
  context: CONTEXT,
  key: { seed: KEY, publicKey: b64u(rawPublic(KEY)) },
  otherKey: { seed: OTHER, publicKey: b64u(rawPublic(OTHER)) },
  segments,
  rejections,
  signaturesFile: {
    stream: 'main',
    json: `{${json}}`,
    trusted: ['init-stream0.m4s', 'chunk-stream0-00042.m4s', 'chunk-stream1-00007.m4s'],
    rejected: ['chunk-stream0-00043.m4s', 'chunk-stream0-00044.m4s', 'chunk-stream0-00045.m4s', 'chunk-stream0-00046.m4s',
      'chunk-stream0-00047.m4s', 'chunk-stream0-00048.m4s', 'chunk-stream0-00049.m4s', 'chunk-stream0-00050.m4s',
      'chunk-stream0-00051.m4s', 'chunk-stream0-00052.m4s', 'chunk-stream0-00053.m4s', 'chunk-stream0-42.m4s',
      '../chunk-stream0-00042.m4s', 'hashes.json'],
  },
  invalidFiles: [
    { name: 'empty', json: '', error: 'BAD_MESSAGE' },
    { name: 'array', json: '[]', error: 'BAD_MESSAGE' },
    { name: 'null', json: 'null', error: 'BAD_MESSAGE' },
    { name: 'string', json: '"{}"', error: 'BAD_MESSAGE' },
    { name: 'truncated', json: `{${json}`.slice(0, 200), error: 'BAD_MESSAGE' },
    { name: 'trailing-data', json: '{} {}', error: 'BAD_MESSAGE' },
    { name: 'single-quotes', json: "{'a':1}", error: 'BAD_MESSAGE' },
  ],
  invalidPublicKeys: [
    { name: 'too-short', publicKey: b64u(rawPublic(KEY)).slice(0, 42) },
    { name: 'padded', publicKey: b64u(rawPublic(KEY)) + '=' },
    { name: 'standard-base64', publicKey: Buffer.from(rawPublic(OTHER)).toString('base64').slice(0, 43) },
    { name: 'hex', publicKey: hex(rawPublic(KEY)) },
    { name: 'non-canonical-trailing-bits', publicKey: nonCanonical(b64u(rawPublic(KEY))) },
    { name: 'empty', publicKey: '' },
  ],
};
for (const k of fixture.invalidPublicKeys) if (k.name === 'standard-base64' && !/[+/]/.test(k.publicKey)) throw new Error('pick a key with + or /');

const out = new URL('../resources/fixtures/integrity.json', import.meta.url);
writeFileSync(out, JSON.stringify(fixture, null, 2) + '\n');
console.log('wrote', out.pathname);
