// @ts-check
// ./p2pc bench contribute --viewers N --seconds T
// Runs the contribution scenario (contribute.mjs) and prints per-viewer figures, then, as its last
// line, one JSON object with the figures of issue 4.
import { parseArgs } from 'node:util';
import { runContribution } from './contribute.mjs';

const { values } = parseArgs({ options: {
  viewers: { type: 'string', default: '3' },
  seconds: { type: 'string', default: '20' },
} });
const viewers = Number(values.viewers);
const seconds = Number(values.seconds);
if (!(viewers >= 1 && seconds >= 5)) {
  console.error('usage: bench contribute --viewers N (>=1) --seconds T (>=5)');
  process.exit(2);
}
const r = await runContribution({ viewers, seconds, log: (s) => console.error(s) });
for (const v of r.perViewer) {
  const b = v.camA?.bytes ?? { peer: 0, superPeer: 0, http: 0 };
  const o = v.overlayA;
  console.log(`viewer ${v.viewer}: A's stream ${b.peer} B from peers, ${b.superPeer} B from the super-peer, ${b.http} B over HTTP; ` +
    `overlay playhead ${o ? o.currentTime.toFixed(1) : '—'} s, ${o?.stalls ?? 0} stalls (${o?.stallMs ?? 0} ms)`);
}
console.log(JSON.stringify(r.summary));
