// @ts-check
/**
 * Plugs Content Loaders into Shaka Player as its segment fetcher: Shaka keeps doing manifests,
 * buffering and MSE; segment requests of a stream a loader serves go through that loader, every
 * other request to Shaka's own fetch plugin.
 * @module
 */

/** @type {{loader: import('./content-loader.js').ContentLoader, video: HTMLMediaElement, stream?: string}[]} */
const routes = [];
let installed = false;

/**
 * Routes the segment requests of `loader`'s streams (of `stream` only, if given) through it. Safe
 * to call for several players (one per stream, e.g. overlays) on one page.
 * @param {any} shaka the Shaka Player namespace
 * @param {import('./content-loader.js').ContentLoader} loader
 * @param {HTMLMediaElement} video the element whose buffer sets each segment's deadline
 * @param {string} [stream] the stream this video plays
 * @returns {() => void} removes the route
 */
export function routeThrough(shaka, loader, video, stream) {
  const route = { loader, video, stream };
  routes.push(route);
  if (!installed) {
    installed = true;
    const { NetworkingEngine, HttpFetchPlugin } = shaka.net;
    /** @type {any} */
    const plugin = (/** @type {string} */ uri, /** @type {any} */ request, /** @type {number} */ type, /** @type {any[]} */ ...rest) => {
      const r = type === NetworkingEngine.RequestType.SEGMENT ? routes.find((x) => x.loader.handles(uri, x.stream)) : undefined;
      if (!r) return HttpFetchPlugin.parse(uri, request, type, ...rest);
      const abort = { aborted: false };
      const started = Date.now();
      const promise = r.loader.load(uri, deadline(r.video), abort).then(({ data }) => ({
        uri, originalUri: uri, data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
        headers: {}, timeMs: Date.now() - started, fromCache: false,
      }), (e) => {
        throw new shaka.util.Error(shaka.util.Error.Severity.RECOVERABLE, shaka.util.Error.Category.NETWORK,
          shaka.util.Error.Code.HTTP_ERROR, uri, e, request, type);
      });
      return new shaka.util.AbortableOperation(promise, () => { abort.aborted = true; return Promise.resolve(); });
    };
    for (const scheme of ['http', 'https']) NetworkingEngine.registerScheme(scheme, plugin, NetworkingEngine.PluginPriority.APPLICATION, true);
  }
  return () => { const i = routes.indexOf(route); if (i >= 0) routes.splice(i, 1); };
}

/**
 * When playback will need the next segment: now plus what is buffered ahead of the playhead.
 * @param {HTMLMediaElement} video
 */
export function deadline(video) {
  const b = video.buffered;
  let ahead = 0;
  for (let i = 0; i < b.length; i++) {
    if (b.start(i) <= video.currentTime + 0.1 && b.end(i) > video.currentTime) ahead = b.end(i) - video.currentTime;
  }
  return Date.now() + ahead * 1000;
}
