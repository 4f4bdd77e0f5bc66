// BPC's service worker: the app opens without a network (issue 14).
//
// - The site's content-named files (/pkg/bpc.<hash>.js|wasm|css) never change:
//   answered from the cache, fetched and kept on a miss.
// - Pages: the network first; a signed-in page that arrives is kept, and when
//   the network is gone the kept copy is shown (the page then runs from the
//   cached files, and the check-in queue holds what the rep sends).
// - After any signed-in page, /feed and /checkin are kept too (with the files
//   they name), so both open offline after one visit.
// - Signing out, or landing on the login page, forgets the kept pages: the next
//   person on this phone does not see them.
// Posts, server functions, the live socket and uploads always go to the network.

const PAGES = 'bpc-pages-v1';
const FILES = 'bpc-files-v1';
const CORE = ['/feed', '/checkin'];
const HASHED = /^\/pkg\/bpc\.[0-9a-f]{16}\.(js|wasm|css)$/;
const SIGNED_OUT = ['/login', '/setup'];

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('bpc-') && name !== PAGES && name !== FILES && name !== 'bpc-outbox') {
          await caches.delete(name);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method !== 'GET') {
    if (url.pathname === '/api/logout') event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (HASHED.test(url.pathname)) {
    event.respondWith(file(req));
  } else if (req.mode === 'navigate') {
    event.respondWith(page(event, req, url));
  }
});

async function file(req) {
  const cache = await caches.open(FILES);
  const hit = await cache.match(req.url);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) await cache.put(req.url, res.clone());
  return res;
}

/** A page that is worth keeping: signed in, whole, not on its way elsewhere. */
function keepable(res, path) {
  return (
    res.ok &&
    res.type === 'basic' &&
    !res.redirected &&
    !res.headers.has('location') &&
    (res.headers.get('content-type') || '').startsWith('text/html') &&
    !SIGNED_OUT.includes(path)
  );
}

async function page(event, req, url) {
  const path = url.pathname;
  try {
    const res = await fetch(req);
    if (keepable(res, path)) {
      const copy = res.clone();
      event.waitUntil(
        (async () => {
          const html = await copy.clone().text();
          const cache = await caches.open(PAGES);
          await cache.put(path, copy);
          await warm(html);
        })(),
      );
    } else if (SIGNED_OUT.includes(new URL(res.url || req.url).pathname)) {
      event.waitUntil(caches.delete(PAGES));
    }
    return res;
  } catch (offline) {
    const cache = await caches.open(PAGES);
    const kept = await cache.match(path);
    if (kept) return kept;
    return Response.error();
  }
}

/** Keeps /feed and /checkin (once) and the files a page names; drops files of
 *  older builds. */
async function warm(html) {
  const names = new Set(html.match(/\/pkg\/bpc\.[0-9a-f]{16}\.(?:js|wasm|css)/g) || []);
  const files = await caches.open(FILES);
  for (const name of names) {
    if (!(await files.match(name))) {
      const res = await fetch(name);
      if (res.ok) await files.put(name, res);
    }
  }
  if (names.size > 0) {
    for (const req of await files.keys()) {
      if (!names.has(new URL(req.url).pathname)) await files.delete(req);
    }
  }
  const pages = await caches.open(PAGES);
  for (const path of CORE) {
    if (await pages.match(path)) continue;
    const res = await fetch(path, { credentials: 'same-origin' });
    if (keepable(res, path)) await pages.put(path, res);
  }
}
