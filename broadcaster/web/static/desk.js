// The desk's only script (no inline script is allowed by the page's policy): recording in the browser.
// The recording is put into the form's file field, so saving it is the same as uploading a file: the server
// checks it by decoding it, like any upload.
(function () {
  "use strict";
  function setup() {
    var box = document.getElementById("recorder");
    var input = document.getElementById("recording");
    if (!box || !input || !window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) return;
    box.hidden = false;
    var start = document.getElementById("rec-start");
    var stop = document.getElementById("rec-stop");
    var status = document.getElementById("rec-status");
    var play = document.getElementById("rec-play");
    var recorder = null, chunks = [], began = 0;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        chunks = [];
        var type = MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? "audio/webm;codecs=opus" : "";
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        recorder.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          var mime = recorder.mimeType || "audio/webm";
          var ext = mime.indexOf("ogg") >= 0 ? ".ogg" : ".webm";
          var blob = new Blob(chunks, { type: mime });
          var file = new File([blob], "ghi-am" + ext, { type: mime });
          var dt = new DataTransfer();
          dt.items.add(file);
          input.files = dt.files;
          play.src = URL.createObjectURL(blob);
          play.hidden = false;
          var secs = Math.round((Date.now() - began) / 1000);
          status.textContent = "Đã ghi " + secs + " giây. " + (box.dataset.hint || "Bấm Lưu để dùng bản ghi này.");
          start.disabled = false; stop.disabled = true;
        };
        recorder.start();
        began = Date.now();
        status.textContent = "Đang ghi âm…";
        start.disabled = true; stop.disabled = false;
      }).catch(function () {
        status.textContent = "Không mở được micrô: hãy cho phép trình duyệt dùng micrô.";
      });
    });
    stop.addEventListener("click", function () { if (recorder && recorder.state !== "inactive") recorder.stop(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup); else setup();

  // The live page: countdowns to the next session and the time into the item on air, ticked here every second
  // (the server sends a new fragment only when the station's state changes).
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function span(secs) {
    secs = Math.max(0, Math.round(secs));
    var h = Math.floor(secs / 3600), m = Math.floor(secs % 3600 / 60), s = secs % 60;
    return (h ? h + " giờ " : "") + (h || m ? m + " phút " : "") + s + " giây";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      el.textContent = span((Date.parse(el.dataset.countdown) - now) / 1000);
    });
    document.querySelectorAll("[data-elapsed]").forEach(function (el) {
      var done = (now - Date.parse(el.dataset.elapsed)) / 1000, total = parseFloat(el.dataset.total) || 0;
      var m = Math.floor(Math.max(0, done) / 60), s = Math.floor(Math.max(0, done) % 60);
      var tm = Math.floor(total / 60), ts = Math.round(total % 60);
      el.textContent = "đã phát " + m + ":" + two(s) + (total ? " / " + tm + ":" + two(ts) : "");
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", tick); else tick();
})();
