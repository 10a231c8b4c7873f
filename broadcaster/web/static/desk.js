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
          status.textContent = "Đã ghi " + secs + " giây. Bấm Lưu để dùng bản ghi này.";
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
})();
