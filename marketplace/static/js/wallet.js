// The WeChat Pay page waits for the payment: it asks the server every few seconds (and
// every fifth time asks it to check with Stripe, in case the webhook is late), then goes on.
(function () {
  "use strict";
  var box = document.getElementById("wallet-wait");
  if (!box || !window.fetch) return;
  var polls = 0;
  function poll() {
    polls += 1;
    var url = box.dataset.statusUrl + (polls % 5 === 0 ? "?check=1" : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.done) {
          window.location.assign(state.next);
          return;
        }
        if (polls < 400) window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 6000); });
  }
  window.setTimeout(poll, 2000);
})();
