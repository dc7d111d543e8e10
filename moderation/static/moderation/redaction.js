// The redaction widget (moderation/redaction_widget.html): boxes dragged on the photo with a pointer, sent as
// fractions of the displayed image. Each widget is set up once, however many times the script is included; no
// keys are bound, so the page's own shortcuts keep working.
(function () {
  "use strict";

  var MIN_PIXELS = 4; // as moderation.redaction.MIN_BOX_PIXELS: smaller is a click, not a box

  function clamp(value) {
    return Math.min(1, Math.max(0, value));
  }

  function setUp(widget) {
    if (widget.dataset.redactionReady) return;
    widget.dataset.redactionReady = "1";
    var stage = widget.querySelector("[data-redaction-stage]");
    var image = stage.querySelector("img");
    var undo = widget.querySelector("[data-redaction-undo]");
    var confirm = widget.querySelector("[data-redaction-confirm]");
    var hide = widget.querySelector("[data-redaction-hide]");
    var status = widget.querySelector("[data-redaction-status]");
    var boxes = []; // [{fractions: [x0, y0, x1, y1], element}]
    var drawing = null;

    function refresh() {
      undo.disabled = hide.disabled = boxes.length === 0;
      // Drawn boxes are either sent or removed: confirming would silently drop them.
      confirm.disabled = boxes.length > 0;
      status.textContent = boxes.length
        ? widget.dataset.statusSome.replace("%(count)s", String(boxes.length))
        : widget.dataset.statusNone;
    }

    function place(element, fractions) {
      element.style.left = fractions[0] * 100 + "%";
      element.style.top = fractions[1] * 100 + "%";
      element.style.width = (fractions[2] - fractions[0]) * 100 + "%";
      element.style.height = (fractions[3] - fractions[1]) * 100 + "%";
    }

    function pointAt(event) {
      var rect = image.getBoundingClientRect();
      return [clamp((event.clientX - rect.left) / rect.width), clamp((event.clientY - rect.top) / rect.height)];
    }

    function fractionsOf(start, end) {
      return [
        Math.min(start[0], end[0]),
        Math.min(start[1], end[1]),
        Math.max(start[0], end[0]),
        Math.max(start[1], end[1]),
      ];
    }

    function bigEnough(fractions) {
      var rect = image.getBoundingClientRect();
      var width = fractions[2] - fractions[0];
      var height = fractions[3] - fractions[1];
      // At least MIN_PIXELS on the screen and on the photo itself (which may be shown larger than it is).
      return (
        width * Math.min(rect.width, image.naturalWidth || rect.width) >= MIN_PIXELS &&
        height * Math.min(rect.height, image.naturalHeight || rect.height) >= MIN_PIXELS
      );
    }

    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || drawing) return;
      event.preventDefault(); // no image drag, no text selection
      var element = document.createElement("div");
      element.setAttribute("aria-hidden", "true");
      element.style.cssText =
        "position:absolute;background:rgba(0,0,0,.75);outline:2px solid #fc0;pointer-events:none";
      stage.appendChild(element);
      var start = pointAt(event);
      drawing = { start: start, fractions: [start[0], start[1], start[0], start[1]], element: element };
      place(element, drawing.fractions);
      stage.setPointerCapture(event.pointerId);
    });

    stage.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      drawing.fractions = fractionsOf(drawing.start, pointAt(event));
      place(drawing.element, drawing.fractions);
    });

    function finish(event, keep) {
      if (!drawing) return;
      if (stage.hasPointerCapture(event.pointerId)) stage.releasePointerCapture(event.pointerId);
      if (keep) drawing.fractions = fractionsOf(drawing.start, pointAt(event));
      if (keep && bigEnough(drawing.fractions)) {
        place(drawing.element, drawing.fractions);
        boxes.push({ fractions: drawing.fractions, element: drawing.element });
      } else {
        drawing.element.remove();
      }
      drawing = null;
      refresh();
    }

    stage.addEventListener("pointerup", function (event) {
      finish(event, true);
    });
    stage.addEventListener("pointercancel", function (event) {
      finish(event, false);
    });

    undo.addEventListener("click", function () {
      var last = boxes.pop();
      if (last) last.element.remove();
      refresh();
    });

    function send(fractions) {
      // A form of its own, built now: the widget may sit inside another form, where a nested one cannot be.
      var form = document.createElement("form");
      form.method = "post";
      form.action = widget.dataset.action;
      form.hidden = true;
      var fields = {
        csrfmiddlewaretoken: widget.dataset.csrf,
        boxes: JSON.stringify(fractions),
        next: widget.dataset.next || "",
      };
      Object.keys(fields).forEach(function (name) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = fields[name];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      undo.disabled = confirm.disabled = hide.disabled = true; // one post per press
      form.submit();
    }

    confirm.addEventListener("click", function () {
      send([]);
    });
    hide.addEventListener("click", function () {
      if (boxes.length) send(boxes.map(function (box) { return box.fractions; }));
    });

    refresh();
  }

  function setUpAll() {
    document.querySelectorAll("[data-redaction-widget]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
