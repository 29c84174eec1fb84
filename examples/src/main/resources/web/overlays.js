// @ts-check
// Contributions on the demo page: each live contribution of the room is a picture-in-picture tile
// over the main video (drag it, enlarge it, hide it), played through the same Content Loader as
// the main stream; and the "Go live" button, which contributes this page's camera.

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {any} player the SDK player (createPlayer)
 * @param {string} mainStream
 */
export function setUpOverlays(player, mainStream) {
  const layer = $('overlays');
  /** @type {Map<string, {el: HTMLElement, handle: Promise<any>, shownAt: number, stalls: number, stallMs: number, stallMsMax: number, waitingSince: number}>} */
  const tiles = new Map();
  /** @type {string | null} */ let ownStream = null;

  const show = (/** @type {any} */ info) => {
    if (info.id === mainStream || tiles.has(info.id)) return;
    const el = document.createElement('div');
    el.className = 'tile';
    el.dataset.stream = info.id;
    el.style.right = `${8 + tiles.size * 12}px`;
    el.style.top = `${44 + tiles.size * 12}px`; // below the status badge
    el.innerHTML = '<header><span></span><button data-a="big" title="Enlarge">⤢</button><button data-a="hide" title="Hide">–</button></header><video muted autoplay playsinline></video>';
    /** @type {HTMLElement} */ (el.querySelector('span')).textContent = info.id === ownStream ? `${info.id} (you)` : info.id;
    el.querySelector('[data-a=big]')?.addEventListener('click', () => el.classList.toggle('big'));
    el.querySelector('[data-a=hide]')?.addEventListener('click', () => el.classList.toggle('hidden'));
    drag(el, /** @type {HTMLElement} */ (el.querySelector('header')));
    layer.append(el);
    const video = /** @type {HTMLVideoElement} */ (el.querySelector('video'));
    const tile = { el, handle: player.watch(info, video), shownAt: 0, stalls: 0, stallMs: 0, stallMsMax: 0, waitingSince: 0 };
    video.addEventListener('playing', () => {
      if (!tile.shownAt) tile.shownAt = Date.now();
      if (tile.waitingSince) {
        const ms = Date.now() - tile.waitingSince;
        tile.stallMs += ms;
        tile.stallMsMax = Math.max(tile.stallMsMax, ms);
        tile.waitingSince = 0;
      }
    });
    video.addEventListener('waiting', () => {
      if (tile.shownAt && !tile.waitingSince) { tile.stalls++; tile.waitingSince = Date.now(); }
    });
    tile.handle.catch((/** @type {any} */ e) => console.warn(`overlay ${info.id}: ${e}`));
    tiles.set(info.id, tile);
  };
  const hide = (/** @type {string} */ id) => {
    const t = tiles.get(id);
    if (!t) return;
    tiles.delete(id);
    t.el.remove();
    t.handle.then((h) => h.close()).catch(() => {});
  };
  player.streams().forEach(show);
  player.addEventListener('stream-added', (/** @type {any} */ e) => show(e.detail));
  player.addEventListener('stream-removed', (/** @type {any} */ e) => hide(e.detail.stream));

  // --- going live ------------------------------------------------------------------------------
  const params = new URLSearchParams(location.search);
  /** @type {any} */ let contribution = null;
  const button = /** @type {HTMLButtonElement} */ ($('golive'));
  const status = $('golive-status');
  const goLive = async (/** @type {{stream?: string, token?: string}} */ o = {}) => {
    const stream = o.stream ?? params.get('contribute') ?? `cam-${String(player.stats().peerId).slice(0, 6).replace(/[^A-Za-z0-9]/g, 'x')}`;
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true });
    ownStream = stream;
    contribution = player.goLive({ stream, token: o.token ?? params.get('token') ?? undefined, media });
    contribution.addEventListener('status', (/** @type {any} */ e) => {
      const { status: st, reason, code } = e.detail;
      status.textContent = st === 'refused' ? `refused: ${code} — ${reason}` : `${st}${reason ? ` — ${reason}` : ''}`;
      button.textContent = ['granted', 'live', 'pending', 'refused'].includes(st) ? 'Stop' : 'Go live';
      button.classList.toggle('live', st === 'live');
      if (['ended', 'revoked', 'denied'].includes(st)) media.getTracks().forEach((t) => t.stop());
    });
    return contribution;
  };
  button.addEventListener('click', () => {
    if (contribution && !['ended', 'revoked', 'denied'].includes(contribution.status)) contribution.stop();
    else goLive().catch((e) => { status.textContent = String(e); });
  });

  return {
    goLive,
    contribution: () => contribution,
    /** What the tests read: each overlay's stream, when its first frame showed, and its latencies. */
    async overlays() {
      const out = [];
      for (const [id, t] of tiles) {
        const h = await t.handle.catch(() => null);
        const video = /** @type {HTMLVideoElement} */ (t.el.querySelector('video'));
        out.push({
          stream: id, shownAt: t.shownAt, currentTime: video.currentTime, stalls: t.stalls,
          stallMs: t.stallMs + (t.waitingSince ? Date.now() - t.waitingSince : 0),
          stallMsMax: Math.max(t.stallMsMax, t.waitingSince ? Date.now() - t.waitingSince : 0),
          glassToGlass: h ? h.glassToGlass() : [],
        });
      }
      return out;
    },
  };
}

/** Lets the tile be dragged by its header. @param {HTMLElement} el @param {HTMLElement} handle */
function drag(el, handle) {
  handle.addEventListener('pointerdown', (e) => {
    if (/** @type {HTMLElement} */ (e.target).tagName === 'BUTTON') return;
    const parent = /** @type {HTMLElement} */ (el.parentElement).getBoundingClientRect();
    const start = el.getBoundingClientRect();
    const dx = e.clientX - start.left, dy = e.clientY - start.top;
    handle.setPointerCapture(e.pointerId);
    const move = (/** @type {PointerEvent} */ m) => {
      el.style.right = 'auto';
      el.style.left = `${Math.max(0, Math.min(parent.width - start.width, m.clientX - parent.left - dx))}px`;
      el.style.top = `${Math.max(0, Math.min(parent.height - start.height, m.clientY - parent.top - dy))}px`;
    };
    const up = () => { handle.removeEventListener('pointermove', move); handle.removeEventListener('pointerup', up); };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  });
}
