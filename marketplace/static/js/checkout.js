// The card form: Stripe.js collects the card and returns a token; the server charges it.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form) return;
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  if (typeof Stripe === "undefined") {
    errors.textContent = form.dataset.errorUnavailable;
    button.disabled = true;
    return;
  }
  var stripe = Stripe(form.dataset.stripeKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", function (event) {
    if (form.elements.token.value) return;
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe.createToken(card).then(function (result) {
      if (result.error || !result.token) {
        errors.textContent = (result.error && result.error.message) || form.dataset.errorUnavailable;
        button.disabled = false;
        return;
      }
      form.elements.token.value = result.token.id;
      form.submit();
    });
  });
})();
