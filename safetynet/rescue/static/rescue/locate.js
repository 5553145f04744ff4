// The public report page: "use my location" fills the coordinates from the phone's position, where
// the browser offers it (a secure page); without it the reporter describes the place in words.
(function () {
  "use strict";
  function start() {
    var button = document.getElementById("locate");
    if (!button || !navigator.geolocation || !window.isSecureContext) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
