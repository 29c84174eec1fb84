// @ts-check
// ./p2pc bench swarm --viewers N --seconds T
// Prints per-viewer figures, then, as its last line, one JSON object with the swarm's figures.
import { parseArgs } from 'node:util';
import { runSwarm } from './swarm.mjs';

const { values } = parseArgs({ options: {
  viewers: { type: 'string', default: '4' },
  seconds: { type: 'string', default: '30' },
  'join-gap-ms': { type: 'string', default: '3000' },
} });
const viewers = Number(values.viewers);
const seconds = Number(values.seconds);
if (!(viewers >= 1 && seconds >= 5)) {
  console.error('usage: bench swarm --viewers N (>=1) --seconds T (>=5)');
  process.exit(2);
}
const { results, summary } = await runSwarm({ viewers, seconds, joinGapMs: Number(values['join-gap-ms']), log: (s) => console.error(s) });
for (const r of results) {
  console.log(`viewer ${r.viewer}: startup ${r.startupMs} ms, played ${r.playedSeconds.toFixed(1)} s, stalls ${r.stalls} (longest ${r.stallMsMax} ms), ` +
    `peers ${r.bytes.peer} B, super-peer ${r.bytes.superPeer} B, http ${r.bytes.http} B`);
}
console.log(JSON.stringify(summary));
