// The seat map as one keyboard control: a single tab stop, arrow keys move along a row and to
// the nearest seat of the row above or below, Space or Enter chooses; each seat mirrors its
// checkbox in the plain list (what the form sends), in both directions.
(function () {
  const map = document.getElementById('seat-map');
  if (!map) return;
  const seats = [...map.querySelectorAll('[role=checkbox]')];
  const rows = [...new Set(seats.map((s) => s.dataset.row))];
  const box = (seat) => document.getElementById('seat-' + seat.dataset.seat);
  const show = (seat) => seat.setAttribute('aria-checked', box(seat).checked ? 'true' : 'false');

  function toggle(seat) {
    box(seat).checked = !box(seat).checked;
    show(seat);
  }
  function moveTo(seat) {
    if (!seat) return;
    seats.forEach((s) => { s.tabIndex = -1; });
    seat.tabIndex = 0;
    seat.focus();
  }
  function along(seat, step) {
    const row = seats.filter((s) => s.dataset.row === seat.dataset.row);
    return row[row.indexOf(seat) + step];
  }
  function across(seat, step) {
    const row = rows[rows.indexOf(seat.dataset.row) + step];
    const there = seats.filter((s) => s.dataset.row === row);
    const x = Number(seat.dataset.x);
    return there.sort((a, b) => Math.abs(a.dataset.x - x) - Math.abs(b.dataset.x - x))[0];
  }
  const keys = {
    ArrowRight: (s) => moveTo(along(s, 1)), ArrowLeft: (s) => moveTo(along(s, -1)),
    ArrowDown: (s) => moveTo(across(s, 1)), ArrowUp: (s) => moveTo(across(s, -1)),
    ' ': toggle, Enter: toggle,
  };
  map.addEventListener('keydown', (pressed) => {
    const seat = pressed.target.closest('[role=checkbox]');
    if (!seat || !keys[pressed.key]) return;
    pressed.preventDefault();
    keys[pressed.key](seat);
  });
  map.addEventListener('click', (clicked) => {
    const seat = clicked.target.closest('[role=checkbox]');
    if (seat) { toggle(seat); moveTo(seat); }
  });
  seats.forEach((seat) => box(seat).addEventListener('change', () => show(seat)));
})();
