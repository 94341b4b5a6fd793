// 3-D Secure: Stripe.js shows the bank's check, then we go back to read the outcome.
(function () {
  "use strict";
  var box = document.getElementById("authenticate");
  if (!box || typeof Stripe === "undefined") return;
  var stripe = Stripe(box.dataset.stripeKey);
  stripe.confirmCardPayment(box.dataset.clientSecret).then(function () {
    window.location.assign(box.dataset.returnUrl);
  });
})();
