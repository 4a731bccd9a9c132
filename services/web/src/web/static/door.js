// The door: each QR code the camera reads (html5-qrcode) or code typed is sent to be checked,
// and the answer shown large: admitted, already used (when, at which gate), or not for this event.
(function () {
  const door = document.getElementById('door');
  if (!door) return;
  const answer = document.getElementById('answer');
  const recent = new Map(); // what the camera read in the last seconds: one scan, not thirty

  function show(kind, text) {
    answer.className = 'answer ' + kind;
    answer.textContent = text;
  }
  function local(moment) {
    return new Date(moment).toLocaleTimeString('vi-VN', {hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Ho_Chi_Minh'});
  }
  async function check(ticket) {
    let sent;
    try {
      sent = await fetch(door.dataset.checkins, {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': door.dataset.csrf},
        body: JSON.stringify({...ticket, gate: door.dataset.gate}),
      });
    } catch (error) {
      show('refused', door.dataset.trouble);
      return;
    }
    const said = await sent.json().catch(() => ({}));
    if (said.outcome === 'admitted') show('admitted', door.dataset.admitted);
    else if (said.outcome === 'used') show('used', door.dataset.used.replace('{time}', local(said.checked_in_at)).replace('{gate}', said.gate));
    else show('refused', sent.status >= 500 ? door.dataset.trouble : door.dataset.refused);
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
  if (window.Html5Qrcode) {
    new Html5Qrcode('reader').start({facingMode: 'environment'}, {fps: 10, qrbox: 250}, scanned, () => {})
      .catch(() => {}); // no camera: the typed code still works
  }
})();
