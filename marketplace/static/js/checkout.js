// The pay form: WeChat Pay and Alipay are posted as they are; for a card, Stripe.js
// collects it and returns a token, which the server charges.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form) return;
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  var cardFields = document.getElementById("card-fields");
  var card = null;
  var stripe = null;

  function chosen() {
    var checked = form.querySelector('input[name="method"]:checked');
    return checked ? checked.value : "";
  }

  function show() {
    var method = chosen();
    var checked = form.querySelector('input[name="method"]:checked');
    cardFields.hidden = method !== "card";
    if (checked && checked.dataset.label) button.textContent = checked.dataset.label;
    errors.textContent = "";
    button.disabled = false;
    if (method !== "card") return;
    if (typeof Stripe === "undefined") {
      errors.textContent = form.dataset.errorUnavailable;
      button.disabled = true;
      return;
    }
    if (!card) {
      stripe = Stripe(form.dataset.stripeKey);
      card = stripe.elements().create("card");
      card.mount("#card-element");
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "method") show();
  });
  show();
  window.addEventListener("pageshow", show);  // back from Alipay: the form works again

  form.addEventListener("submit", function (event) {
    if (chosen() !== "card") {
      button.disabled = true;  // one payment per press
      return;
    }
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
