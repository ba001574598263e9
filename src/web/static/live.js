// Live updates of the pages (docs/api.md, "GET /stream"): when logged in,
// keeps the header's unread counts (notifications, messages) current, on a thread page offers the
// replies written since the page was loaded, on a conversation page shows
// its new lines (messages, arrivals, departures) and the messages edited
// or deleted as they come, sends its message form without leaving the
// page and offers
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
  // A conversation's lines as the server writes them (in the teacher's
  // language and time zone): fragments of `/conversations/{id}/lines`
  // and the message form's answers (web/conversation_lines.rs).
  var FRAGMENT = "text/html; fragment=conversation-lines";
  var messageForm = document.getElementById("message-form");
  // The newest line id read: new lines are asked for after it.
  var lastLine = conversation ? Number(conversation.dataset.lastLine) || 0 : 0;
  function lineId(element) {
    return Number(String(element.id).replace("line-", "")) || 0;
  }
  // A line's place: the host's order, then arrival here.
  function comesBefore(a, b) {
    var pa = a.dataset.position !== undefined ? Number(a.dataset.position) : lineId(a);
    var pb = b.dataset.position !== undefined ? Number(b.dataset.position) : lineId(b);
    return pa < pb || (pa === pb && lineId(a) < lineId(b));
  }
  // Puts `line` in its place in `list`, unless a line of that id is
  // shown already (a line sent comes in the form's answer and again
  // from the stream); true when put.
  function placeLine(list, line) {
    if (document.getElementById(line.id)) {
      return false;
    }
    var next = null;
    for (var i = list.children.length - 1; i >= 0; i--) {
      if (comesBefore(line, list.children[i])) {
        next = list.children[i];
      } else {
        break;
      }
    }
    list.insertBefore(line, next);
    return true;
  }
  function showMessagesCount(unread) {
    var count = document.getElementById("messages-count");
    var text = document.getElementById("messages-count-text");
    if (count) {
      count.textContent = unread ? String(unread) : "";
      count.hidden = unread === 0;
    }
    if (text) {
      text.textContent = unread ? " (" + (text.dataset.label || "") + " " + unread + ")" : "";
    }
  }
  // Shows the lines of a fragment; the lines put, or null when `html`
  // is not one.
  function showFragment(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var list = fresh.getElementById("new-lines");
    var lines = document.getElementById("conversation-lines");
    if (!list || !lines) {
      return null;
    }
    var put = Array.prototype.slice.call(list.children).filter(function (line) {
      return placeLine(lines, line);
    });
    lastLine = Math.max(lastLine, Number(list.dataset.lastLine) || 0);
    if (list.dataset.messages !== undefined) {
      showMessagesCount(Number(list.dataset.messages) || 0);
    }
    if (put.length) {
      lines.scrollTop = lines.scrollHeight;
    }
    document.body.dataset.conversationLines = String(lines.children.length);
    var notice = fresh.getElementById("new-lines-notice");
    put.notice = notice ? notice.textContent : "";
    return put;
  }
  // The message of a refusal: the server's, in its `role="alert"`.
  function refusalText(html) {
    var alert = new DOMParser().parseFromString(html, "text/html").querySelector("[role=alert]");
    return alert ? alert.textContent.replace(/\s+/g, " ").trim() : "";
  }
  // The refusal above the form, as the page without a script shows it
  // (errors.html); none when `message` is empty.
  function showFormError(message) {
    var shown = document.getElementById("form-error");
    if (!message) {
      if (shown) {
        shown.parentNode.removeChild(shown);
      }
      return;
    }
    if (!shown) {
      shown = document.createElement("div");
      shown.className = "error";
      shown.id = "form-error";
      shown.setAttribute("role", "alert");
      messageForm.parentNode.insertBefore(shown, messageForm);
    }
    var paragraph = document.createElement("p");
    paragraph.textContent = message;
    while (shown.firstChild) {
      shown.removeChild(shown.firstChild);
    }
    shown.appendChild(paragraph);
  }
  if (messageForm && messageBody && window.fetch && window.FormData && window.URLSearchParams && window.DOMParser) {
    // Sent without leaving the page: the line shows from the answer, the
    // text goes, the cursor stays; a refusal shows and the text stays.
    var sendButton = messageForm.querySelector("button[type=submit]");
    var sendStatus = document.getElementById("message-status");
    var sending = false;
    messageForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) {
        return;
      }
      sending = true;
      if (sendButton) {
        sendButton.disabled = true;
      }
      var text = messageBody.value;
      fetch(messageForm.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: FRAGMENT },
        body: new URLSearchParams(new FormData(messageForm)),
      })
        .then(function (response) {
          return response.text().then(function (html) {
            return { ok: response.ok, html: html };
          });
        })
        .then(function (answer) {
          var put = answer.ok ? showFragment(answer.html) : null;
          if (put) {
            showFormError("");
            // Unless more was typed meanwhile.
            if (messageBody.value === text) {
              messageBody.value = "";
            }
            if (sendStatus) {
              sendStatus.textContent = "";
              sendStatus.textContent = put.notice;
            }
          } else {
            showFormError(refusalText(answer.html) || messageForm.dataset.sendFailed || "");
          }
        }, function () {
          showFormError(messageForm.dataset.sendFailed || "");
        })
        .then(function () {
          sending = false;
          if (sendButton) {
            sendButton.disabled = false;
          }
          messageBody.focus();
        });
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
    showMessagesCount(Number(JSON.parse(event.data).unread) || 0);
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
  // The conversation's reads, one at a time: the lines after a given one
  // (a new line), or the whole page (a message edited or deleted, a
  // reconnection, someone arriving or leaving), whose lines,
  // participants and header count replace the shown ones.
  var reading = false;
  var wantPage = false;
  var wantAfter = null;
  function readConversation() {
    if (reading) {
      return;
    }
    var read;
    if (wantPage) {
      wantPage = false;
      read = readPage();
    } else if (wantAfter !== null) {
      read = readLinesAfter(wantAfter);
      wantAfter = null;
    } else {
      return;
    }
    reading = true;
    read.catch(function () {}).then(function () {
      reading = false;
      readConversation();
    });
  }
  function refreshConversation() {
    wantPage = true;
    readConversation();
  }
  function readLinesAfter(after) {
    var url = (messageForm && messageForm.dataset.lines) || window.location.pathname + "/lines";
    return fetch(url + "?after=" + encodeURIComponent(String(after)), {
      credentials: "same-origin",
      headers: { Accept: FRAGMENT },
    })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var put = html ? showFragment(html) : null;
        // Who takes part changed: the participants are read again.
        if (put && put.some(function (line) { return line.dataset.kind !== "message"; })) {
          refreshConversation();
        }
      });
  }
  function readPage() {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var freshConversation = fresh.getElementById("conversation");
        var freshLast = freshConversation ? Number(freshConversation.dataset.lastLine) || 0 : 0;
        var lines = document.getElementById("conversation-lines");
        // Lines shown that came after the page was read stay.
        var newer = lines ? Array.prototype.filter.call(lines.children, function (line) {
          return lineId(line) > freshLast;
        }) : [];
        ["conversation-lines", "participant-list", "nav-messages"].forEach(function (id) {
          var there = fresh.getElementById(id);
          var here = document.getElementById(id);
          if (there && here) {
            here.innerHTML = there.innerHTML;
          }
        });
        if (lines) {
          newer.forEach(function (line) { placeLine(lines, line); });
          lines.scrollTop = lines.scrollHeight;
        }
        lastLine = Math.max(lastLine, freshLast);
        document.body.dataset.conversationLines = String(lines ? lines.children.length : 0);
      });
  }
  if (conversationId) {
    // A new line: the lines after the newest read, or before it when the
    // stream names an older one (ids are taken before the writes commit,
    // so a line can arrive after a newer one). Its own line too on the
    // page that sent it: the answer then brings the header's count after
    // the stream's.
    source.addEventListener("conversation_line", function (event) {
      var id = 0;
      try {
        id = Number(JSON.parse(event.data).line_id) || 0;
      } catch (error) {
        id = 0;
      }
      var after = id > 0 ? Math.min(lastLine, id - 1) : lastLine;
      wantAfter = wantAfter === null ? after : Math.min(wantAfter, after);
      readConversation();
    });
    // A message edited or deleted: the page is read again.
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
