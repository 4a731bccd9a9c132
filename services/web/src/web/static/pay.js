// Paying an order by card: the PaymentIntent's client secret from us, the card straight to Stripe
// (Stripe.js), then the order page again once booking has settled the payment from Stripe's webhook.
(function () {
  const form = document.getElementById('pay');
  if (!form) return;
  const message = document.getElementById('pay-message');
  const button = form.querySelector('button[type=submit]');
  const say = (text) => { message.textContent = text; };
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create('card');
  card.mount('#card');

  async function settled() {
    for (let tries = 0; tries < 90; tries++) {
      const answer = await fetch(form.dataset.status, {headers: {Accept: 'application/json'}});
      if (answer.ok && (await answer.json()).status !== form.dataset.pending) { window.location.reload(); return; }
      await new Promise((done) => setTimeout(done, 1000));
    }
    window.location.reload();
  }

  form.addEventListener('submit', async (submitted) => {
    submitted.preventDefault();
    button.disabled = true;
    say(form.dataset.paying);
    const asked = await fetch(form.dataset.intent, {method: 'POST', headers: {'X-CSRFToken': form.dataset.csrf}});
    if (!asked.ok) { say(form.dataset.lapsed); return; }
    const {client_secret: secret} = await asked.json();
    const paid = await stripe.confirmCardPayment(secret, {payment_method: {card: card}});
    if (paid.error || !paid.paymentIntent || paid.paymentIntent.status !== 'succeeded') {
      say(form.dataset.declined);
      button.disabled = false;
      return;
    }
    say(form.dataset.waiting);
    settled();
  });
})();
