// Scan the voucher's QR code with the phone's camera where the browser can (BarcodeDetector);
// elsewhere the button stays hidden and staff type the code.
(function () {
  "use strict";
  var form = document.getElementById("code-form");
  var button = document.getElementById("scan-button");
  if (!form || !button || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var input = form.querySelector("input[name=code]");
  var box = document.getElementById("scanner");
  var video = document.getElementById("scanner-video");
  var status = document.getElementById("scanner-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      box.hidden = false;
      video.srcObject = stream;
      video.play();
      var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); };
      var look = function () {
        detector.detect(video).then(function (found) {
          var digits = found.length ? found[0].rawValue.replace(/\D/g, "") : "";
          if (digits.length === 12) {
            stop();
            input.value = digits;
            form.submit();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { window.requestAnimationFrame(look); });
      };
      look();
    }).catch(function () {
      box.hidden = false;
      status.textContent = status.getAttribute("data-unavailable");
    });
  });
})();
