// Live updates of the pages (docs/api.md, "GET /stream"): when logged in,
// keeps the header's unread counts (notifications, messages) current, on a thread page offers the
// replies written since the page was loaded, on a conversation page shows
// its new lines (messages, arrivals, departures) and the messages edited
// or deleted as they come and offers
// the emoji picker, and shows a contact's new presence wherever the page
// shows it (`data-presence-of`; after a reconnection the stream sends
// every contact's present one). Pages work fully without it; the
// browser's EventSource reconnects and resumes by itself.
(function () {
  "use strict";
  var conversation = document.getElementById("conversation");
  var conversationLines = document.getElementById("conversation-lines");
  if (conversationLines && !window.location.hash) {
    // The latest lines in view, as in any chat.
    conversationLines.scrollTop = conversationLines.scrollHeight;
  }
  var picker = document.getElementById("smiley-picker");
  var messageBody = document.getElementById("message-body");
  if (picker && messageBody) {
    // Without this script the emoji are typed; with it, a click inserts
    // one where the cursor is.
    picker.hidden = false;
    picker.addEventListener("click", function (event) {
      var smiley = event.target.closest ? event.target.closest("[data-smiley]") : null;
      if (!smiley) {
        return;
      }
      var text = smiley.dataset.smiley;
      var start = messageBody.selectionStart || 0;
      var end = messageBody.selectionEnd || start;
      messageBody.value = messageBody.value.slice(0, start) + text + messageBody.value.slice(end);
      messageBody.focus();
      messageBody.selectionStart = messageBody.selectionEnd = start + text.length;
    });
  }
  if (!document.body || document.body.dataset.live !== "on" || !window.EventSource) {
    return;
  }
  var badge = document.getElementById("unread-count");
  var badgeText = document.getElementById("unread-count-text");
  var notice = document.getElementById("live-replies");
  // A forum thread (`data-thread`) or a project thread (`data-project-thread`).
  var thread = notice ? notice.dataset.thread : "";
  var projectThread = notice ? notice.dataset.projectThread : "";
  var conversationId = conversation ? conversation.dataset.conversation : "";
  var url = "/api/v1/stream" +
    (thread ? "?thread=" + encodeURIComponent(thread)
      : projectThread ? "?project_thread=" + encodeURIComponent(projectThread)
      : conversationId ? "?conversation=" + encodeURIComponent(conversationId) : "");
  var source = new EventSource(url);
  // Tells tests (and styles) whether the stream is connected.
  var opened = false;
  source.addEventListener("open", function () {
    document.body.dataset.liveState = "open";
    // Back after a lost connection: new lines are replayed, but not the
    // messages edited or deleted meanwhile, so a conversation page reads
    // itself again.
    if (opened && conversationId) {
      refreshConversation();
    }
    opened = true;
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
  // What the header's "Messages" counts (unread messages of others and
  // invitations), on every page that shows it.
  source.addEventListener("messages", function (event) {
    var unread = Number(JSON.parse(event.data).unread) || 0;
    var count = document.getElementById("messages-count");
    var text = document.getElementById("messages-count-text");
    if (count) {
      count.textContent = unread ? String(unread) : "";
      count.hidden = unread === 0;
    }
    if (text) {
      text.textContent = unread ? " (" + (text.dataset.label || "") + " " + unread + ")" : "";
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
  // A conversation's new line: the page is read again (in the teacher's
  // language and time zone, as the server writes it) and its lines,
  // participants and header count replaced. One read at a time; a line
  // arriving meanwhile asks for one more.
  var reading = false;
  var again = false;
  function refreshConversation() {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          ["conversation-lines", "participant-list", "nav-messages"].forEach(function (id) {
            var there = fresh.getElementById(id);
            var here = document.getElementById(id);
            if (there && here) {
              here.innerHTML = there.innerHTML;
            }
          });
          var lines = document.getElementById("conversation-lines");
          if (lines) {
            lines.scrollTop = lines.scrollHeight;
          }
          document.body.dataset.conversationLines = String(lines ? lines.children.length : 0);
        }
      })
      .catch(function () {})
      .then(function () {
        reading = false;
        if (again) {
          again = false;
          refreshConversation();
        }
      });
  }
  if (conversationId) {
    source.addEventListener("conversation_line", refreshConversation);
    // A message edited or deleted: read again the same way.
    source.addEventListener("conversation_line_changed", refreshConversation);
  }
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
