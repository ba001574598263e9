// Live updates of the pages (docs/api.md, "GET /stream"): when logged in,
// keeps the header's unread count current, on a thread page offers the
// replies written since the page was loaded, and shows a contact's new
// presence wherever the page shows it (`data-presence-of`). Pages work fully without
// it; the browser's EventSource reconnects and resumes by itself.
(function () {
  "use strict";
  if (!document.body || document.body.dataset.live !== "on" || !window.EventSource) {
    return;
  }
  var badge = document.getElementById("unread-count");
  var badgeText = document.getElementById("unread-count-text");
  var notice = document.getElementById("live-replies");
  // A forum thread (`data-thread`) or a project thread (`data-project-thread`).
  var thread = notice ? notice.dataset.thread : "";
  var projectThread = notice ? notice.dataset.projectThread : "";
  var url = "/api/v1/stream" +
    (thread ? "?thread=" + encodeURIComponent(thread)
      : projectThread ? "?project_thread=" + encodeURIComponent(projectThread) : "");
  var source = new EventSource(url);
  // Tells tests (and styles) whether the stream is connected.
  source.addEventListener("open", function () {
    document.body.dataset.liveState = "open";
  });
  var newReplies = 0;
  source.addEventListener("notification", function (event) {
    var data = JSON.parse(event.data);
    var unread = Number(data.unread) || 0;
    if (badge) {
      badge.textContent = unread ? String(unread) : "";
      badge.hidden = unread === 0;
    }
    if (badgeText) {
      badgeText.textContent = unread ? " (" + (badgeText.dataset.label || "") + " " + unread + ")" : "";
    }
  });
  function onReply() {
    if (!notice) {
      return;
    }
    newReplies += 1;
    var count = notice.querySelector("[data-count]");
    if (count) {
      count.textContent = String(newReplies);
    }
    notice.hidden = false;
  }
  source.addEventListener("reply", onReply);
  var labels = document.body.dataset;
  source.addEventListener("presence", function (event) {
    var data = JSON.parse(event.data);
    var status = String(data.status);
    if (!/^(available|away|busy)$/.test(status) || !data.person) {
      return;
    }
    var label = labels["presence" + status.charAt(0).toUpperCase() + status.slice(1)] || status;
    var shown = document.querySelectorAll('[data-presence-of="' + Number(data.person.id) + '"]');
    Array.prototype.forEach.call(shown, function (element) {
      element.classList.remove("presence-available", "presence-away", "presence-busy");
      element.classList.add("presence-" + status);
      element.dataset.presence = status;
      element.hidden = false;
      var text = element.querySelector(".presence-text");
      if (text) {
        text.textContent = label;
      }
    });
  });
  source.addEventListener("project_reply", onReply);
})();
