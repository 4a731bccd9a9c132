// The door: each QR code the camera reads (html5-qrcode) or code typed is sent to be checked,
// and the answer shown large: admitted, already used (when, at which gate), or not for this event.
// While the network is down the page goes on by itself: it holds the event's tickets (each by a
// digest of its code, and whether it was used), admits a valid unused ticket once, queues the scan
// (kept in this tab's storage) and sends the queue when the network is back; a ticket another gate
// let in meanwhile is then listed here as used there.
(function () {
  const door = document.getElementById('door');
  if (!door) return;
  const answer = document.getElementById('answer');
  const late = document.getElementById('late');
  const network = document.getElementById('network');
  const stored = 'door-queue:' + door.dataset.checkins + ':' + door.dataset.gate;
  const queue = JSON.parse(sessionStorage.getItem(stored) || '[]');
  const recent = new Map(); // what the camera read in the last seconds: one scan, not thirty
  let known = new Map(); // digest of a code -> {checked_in_at, gate}
  let flushing = false;

  const keep = () => {
    sessionStorage.setItem(stored, JSON.stringify(queue));
    network.textContent = queue.length ? late.dataset.offlineNote.replace('{n}', queue.length) : '';
  };
  const inside = document.getElementById('inside');
  function show(kind, text) {
    answer.className = 'answer ' + kind;
    answer.textContent = text;
    count();
  }
  function count() { // who is in, as this gate knows it: its own scans at once, the others' with the list
    const entries = [...known.values()];
    inside.textContent = inside.dataset.template.replace('{in}', entries.filter((e) => e.checked_in_at).length)
      .replace('{all}', entries.length);
  }
  const local = (moment) => new Date(moment).toLocaleTimeString('vi-VN',
    {hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Ho_Chi_Minh'});
  const used = (said) => door.dataset.used.replace('{time}', local(said.checked_in_at)).replace('{gate}', said.gate);
  const codeOf = (ticket) => ticket.code || ticket.qr.split('.').slice(1, -1).join('.');
  async function digest(code) {
    const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(code)));
    return [...bytes.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  async function send(ticket) {
    const sent = await fetch(door.dataset.checkins, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': door.dataset.csrf},
      body: JSON.stringify({...ticket, gate: door.dataset.gate}),
    });
    return {status: sent.status, said: await sent.json().catch(() => ({}))};
  }
  async function offline(ticket) {
    const entry = known.get(await digest(codeOf(ticket)));
    if (!entry) return show('refused', door.dataset.refused);
    if (entry.checked_in_at) return show('used', used(entry));
    entry.checked_in_at = new Date().toISOString();
    entry.gate = door.dataset.gate;
    queue.push(ticket);
    keep();
    show('admitted', door.dataset.offline);
  }
  async function check(ticket) {
    let answered;
    try {
      answered = await send(ticket);
    } catch (error) {
      return offline(ticket);
    }
    const {status, said} = answered;
    if (said.outcome === 'admitted') show('admitted', door.dataset.admitted);
    else if (said.outcome === 'used') show('used', used(said));
    else show('refused', status >= 500 ? door.dataset.trouble : door.dataset.refused);
    if (said.checked_in_at) known.set(await digest(codeOf(ticket)), said);
    count();
  }
  async function flush() {
    if (flushing || !queue.length) return;
    flushing = true;
    try {
      while (queue.length) {
        const ticket = queue[0];
        const {said} = await send(ticket);
        queue.shift();
        keep();
        if (said.outcome === 'used') {
          const item = document.createElement('li');
          item.textContent = codeOf(ticket) + ': ' + used(said);
          late.appendChild(item);
        }
      }
    } catch (error) {
      // still offline: the rest waits for the next try
    } finally {
      flushing = false;
    }
  }
  async function learn() {
    try {
      const listed = await fetch(door.dataset.list, {headers: {Accept: 'application/json'}});
      if (!listed.ok) return;
      const fresh = new Map((await listed.json()).items.map((t) => [t.key, t]));
      for (const [key, entry] of known) if (entry.checked_in_at && fresh.has(key) && !fresh.get(key).checked_in_at) fresh.set(key, entry);
      known = fresh;
      count();
      door.dataset.ready = 'true';
    } catch (error) {
      // offline: what was learnt before stays
    }
  }
  function scanned(text) {
    const now = Date.now();
    if (recent.has(text) && now - recent.get(text) < 3000) return;
    recent.set(text, now);
    check({qr: text});
  }
  document.getElementById('typed').addEventListener('submit', (submitted) => {
    submitted.preventDefault();
    const code = document.getElementById('code');
    if (code.value.trim()) check({code: code.value.trim()});
    code.value = '';
  });
  window.addEventListener('online', () => flush().then(learn));
  setInterval(() => flush().then(learn), 15000);
  keep();
  learn().then(flush);
  // the code is read anywhere in the middle four fifths of the picture: a ticket held a little
  // off-centre, or close to the phone, is still read
  // (html5-qrcode refuses a box under 50 px, which a viewfinder not laid out yet would give)
  const box = (width, height) => {
    const side = Math.max(50, Math.floor(Math.min(width, height) * 0.8));
    return {width: side, height: side};
  };
  // The camera is tried again a few times when it does not start (busy, or slow to come up); the
  // page says when it has none, and the typed code still works. `data-camera` says which.
  const camera = document.getElementById('camera');
  function film(tries) {
    new Html5Qrcode('reader').start({facingMode: 'environment'}, {fps: 10, qrbox: box}, scanned, () => {})
      .then(() => { door.dataset.camera = 'on'; camera.textContent = ''; })
      .catch((error) => {
        door.dataset.camera = 'off: ' + ((error && error.name) || error);
        camera.textContent = camera.dataset.none;
        if (tries > 1) setTimeout(() => film(tries - 1), 2000);
      });
  }
  if (window.Html5Qrcode) film(5);
})();
