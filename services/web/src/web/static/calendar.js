// A space's schedule for its managers (FullCalendar's MIT packages): the week and the month, a list
// on phones, in Hải Phòng's time; the bookings, requests and blackouts come from the page's feed.
// Choosing a time on the calendar fills the form that closes the space.
(function () {
  const element = document.getElementById('calendar');
  if (!element || !window.FullCalendar) return;
  const phone = window.matchMedia('(max-width: 40rem)').matches;
  const fill = (id, moment) => {
    document.getElementById(id).value = moment.length === 10 ? moment + 'T00:00' : moment.slice(0, 16);
  };
  new FullCalendar.Calendar(element, {
    timeZone: 'Asia/Ho_Chi_Minh',
    locale: element.dataset.locale,
    buttonIcons: false, // the buttons say what they do, in the page's words (the icons have no name)
    buttonText: JSON.parse(element.dataset.buttons),
    firstDay: 1,
    initialDate: element.dataset.day || undefined,
    initialView: phone ? 'listWeek' : 'timeGridWeek',
    headerToolbar: phone
      ? {left: 'prev,next', center: 'title', right: 'listWeek,dayGridMonth'}
      : {left: 'prev,next today', center: 'title', right: 'timeGridWeek,dayGridMonth,listWeek'},
    height: 'auto',
    slotMinTime: '06:00:00',
    nowIndicator: true,
    selectable: true,
    select: (chosen) => {
      fill('start', chosen.startStr);
      fill('end', chosen.endStr);
      document.getElementById('reason').focus();
    },
    events: element.dataset.feed,
  }).render();
})();
