// @ts-check
// ./p2pc bench churn --viewers N --rounds R --period S
// Runs the churn scenario (churn.mjs): every S seconds 30 % of the viewers crash and are replaced.
// Prints each page's stalls (with the loads around any stall of 1 s or more) and, as its last
// line, one JSON object of figures, including how busy the machine's CPU was.
import { parseArgs } from 'node:util';
import { runChurn } from './churn.mjs';

const { values } = parseArgs({ options: {
  viewers: { type: 'string', default: '8' },
  rounds: { type: 'string', default: '2' },
  period: { type: 'string', default: '60' },
} });
const viewers = Number(values.viewers);
const rounds = Number(values.rounds);
const period = Number(values.period);
if (!(viewers >= 2 && rounds >= 1 && period >= 10)) {
  console.error('usage: bench churn --viewers N (>=2) --rounds R (>=1) --period S (>=10)');
  process.exit(2);
}
const r = await runChurn({ viewers, rounds, periodMs: period * 1000, log: (s) => console.error(s) });
for (const p of r.pages) {
  console.log(`${p.name}${p.survivor ? ' (from the start)' : ''}: stalls ${p.stalls}, longest ${p.stallMsMax} ms, total ${p.stallMsTotal} ms; ` +
    `played ${p.playedLast20s.toFixed(1)} s of the last 20 s; peers now ${p.peers}; faults ${JSON.stringify(p.faults)}`);
  if (p.diagnosis) console.log(p.diagnosis);
}
console.log(JSON.stringify(r.summary));
