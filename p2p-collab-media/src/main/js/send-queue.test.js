// The bounded queue of what waits for one neighbour's data channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendQueue } from './send-queue.js';
import { encode } from './wire.js';

const error = (requestId) => encode({ type: 'ERROR', requestId, code: 1, message: 'not held' });
const data = (requestId, size) => encode({ type: 'DATA', requestId, totalLength: size, offset: 0, payload: new Uint8Array(size) });
const have = (stream, n) => encode({ type: 'HAVE', stream, held: Array.from({ length: n }, (_, i) => ({ track: '0', number: i })) });

test('the queue refuses the message that would pass its message cap, and queues nothing of it', () => {
  const q = new SendQueue({ maxMessages: 3, maxBytes: 1 << 20 });
  for (let i = 1; i <= 3; i++) assert.equal(q.push(error(i)), true);
  assert.equal(q.push(error(4)), false);
  assert.equal(q.count, 3);
  assert.equal(q.length, 3);
});

test('the queue refuses the message that would pass its byte cap', () => {
  const q = new SendQueue({ maxMessages: 100, maxBytes: 3000 });
  assert.equal(q.push(data(1, 1000)), true);
  assert.equal(q.push(data(1, 1000)), true);
  assert.equal(q.push(data(1, 1000)), false, '3 039 bytes would be over 3 000');
  assert.equal(q.bytes, 2 * 1013);
  q.shift();
  assert.equal(q.push(data(1, 1000)), true, 'draining makes room again');
});

test('a queued HAVE is replaced by the next HAVE of its stream, never by one of another stream', () => {
  const q = new SendQueue({ maxMessages: 2, maxBytes: 1 << 20 });
  for (let i = 1; i <= 1000; i++) assert.equal(q.push(have('main', i), { key: 'HAVE main' }), true);
  assert.equal(q.push(have('cam', 1), { key: 'HAVE cam' }), true);
  assert.equal(q.count, 2);
  assert.deepEqual(q.shift(), have('main', 1000), 'only the newest HAVE of main is left');
});

test('uncapped messages (contribution PUSHes, bounded by their in-flight window) pass the caps and are not counted', () => {
  const q = new SendQueue({ maxMessages: 1, maxBytes: 100 });
  const push = encode({ type: 'PUSH', number: 1, totalLength: 5000, offset: 0, payload: new Uint8Array(5000) });
  assert.equal(q.push(push, { capped: false }), true);
  assert.equal(q.push(push, { capped: false }), true);
  assert.equal(q.push(error(1)), true);
  assert.deepEqual([q.length, q.count, q.bytes], [3, 1, error(1).length]);
});

test('CANCEL drops the queued chunks of its request only, and the counts follow', () => {
  const q = new SendQueue({ maxMessages: 10, maxBytes: 1 << 20 });
  q.push(data(7, 100)); q.push(error(8)); q.push(data(7, 100));
  q.dropRequest(7);
  assert.deepEqual([q.length, q.count, q.bytes], [1, 1, error(8).length]);
  assert.deepEqual(q.shift(), error(8));
});
