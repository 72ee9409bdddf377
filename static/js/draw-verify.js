/*
 * Re-run a published random inspection draw in the browser (SUP-01, algorithm sha256-fisher-yates-v1).
 *
 * The same algorithm as supervision/draws.py, step by step (see its docstring and the page):
 *   block(label, counter) = first 8 bytes of SHA-256("{seed}:{label}:{counter}") as a big-endian uint64;
 *   uniform(label, n): limit = 2^64 - (2^64 mod n), take blocks until x < limit, return x mod n;
 *   shuffle(label, list): Fisher–Yates from the end over a copy, j = uniform(label, i + 1);
 *   institutions = shuffle("institutions", population)[0:sample_size];
 *   team(number) = shuffle("team:" + number, pool without exclusions[number])[0:team_size].
 * It reads the draw from <script id="draw-data" type="application/json"> and its texts from
 * <script id="draw-verify-messages">, and writes the verdict into the aria-live #draw-verify-result
 * (data-commitment / data-selection = "match" | "mismatch" | "unpublished"). No inline handlers.
 */
(function () {
  "use strict";

  var TWO_64 = BigInt(1) << BigInt(64);
  var SEED_RE = /^[0-9a-f]{64}$/;
  var encoder = new TextEncoder();

  function sha256(text) {
    return crypto.subtle.digest("SHA-256", encoder.encode(text)).then(function (buffer) {
      return new Uint8Array(buffer);
    });
  }

  function toHex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += bytes[i].toString(16).padStart(2, "0");
    }
    return out;
  }

  async function block(seed, label, counter) {
    var digest = await sha256(seed + ":" + label + ":" + counter);
    var x = BigInt(0);
    for (var i = 0; i < 8; i++) {
      x = (x << BigInt(8)) | BigInt(digest[i]);
    }
    return x;
  }

  function stream(seed, label) {
    var counter = 0;
    return async function uniform(n) {
      var bn = BigInt(n);
      var limit = TWO_64 - (TWO_64 % bn);
      for (;;) {
        var x = await block(seed, label, counter);
        counter += 1;
        if (x < limit) {
          return Number(x % bn);
        }
      }
    };
  }

  async function shuffle(seed, label, items) {
    var a = items.slice();
    var uniform = stream(seed, label);
    for (var i = a.length - 1; i > 0; i--) {
      var j = await uniform(i + 1);
      var t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  async function compute(seed, draw) {
    var order = (await shuffle(seed, "institutions", draw.population)).slice(0, draw.sample_size);
    var result = [];
    for (var k = 0; k < order.length; k++) {
      var number = order[k];
      var excluded = draw.exclusions[number] || [];
      var candidates = draw.pool.filter(function (code) { return excluded.indexOf(code) === -1; });
      var team = (await shuffle(seed, "team:" + number, candidates)).slice(0, draw.team_size);
      result.push({filing_number: number, team: team});
    }
    return result;
  }

  async function commitmentOf(seed) {
    return toHex(await sha256(seed));
  }

  function sameSelection(a, b) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      return false;
    }
    for (var i = 0; i < a.length; i++) {
      if (a[i].filing_number !== b[i].filing_number || a[i].team.join(",") !== b[i].team.join(",")) {
        return false;
      }
    }
    return true;
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function line(parent, text, className) {
    var p = document.createElement("p");
    p.textContent = text;
    if (className) {
      p.className = className;
    }
    parent.appendChild(p);
    return p;
  }

  async function verify(draw, text, seed, out) {
    out.textContent = "";
    out.removeAttribute("data-commitment");
    out.removeAttribute("data-selection");
    seed = (seed || "").trim().toLowerCase();
    if (!SEED_RE.test(seed)) {
      line(out, text.bad_seed, "field-error");
      out.setAttribute("data-commitment", "invalid");
      return;
    }
    if (!window.crypto || !crypto.subtle) {
      line(out, text.no_crypto, "field-error");
      return;
    }
    line(out, text.working);
    var commitmentOk = (await commitmentOf(seed)) === draw.commitment;
    var selected = await compute(seed, draw);
    var published = draw.seed ? draw.selected : null;
    var selection = published === null ? "unpublished" : (sameSelection(selected, published) ? "match" : "mismatch");
    out.textContent = "";
    line(out, commitmentOk ? text.commitment_match : text.commitment_mismatch,
         commitmentOk ? "ok draw-verify-commitment" : "overdue draw-verify-commitment");
    line(out, selection === "match" ? text.selection_match
      : (selection === "mismatch" ? text.selection_mismatch : text.selection_unpublished),
         selection === "match" ? "ok draw-verify-selection" : "draw-verify-selection");
    line(out, text.computed);
    var list = document.createElement("ol");
    list.className = "draw-verify-computed mono";
    selected.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.filing_number + " — " + text.team + ": " + item.team.join(", ");
      list.appendChild(li);
    });
    out.appendChild(list);
    out.setAttribute("data-commitment", commitmentOk ? "match" : "mismatch");
    out.setAttribute("data-selection", selection);
  }

  function start() {
    var draw = readJSON("draw-data");
    var text = readJSON("draw-verify-messages") || {};
    var form = document.getElementById("draw-verify-form");
    var input = document.getElementById("draw-verify-seed");
    var out = document.getElementById("draw-verify-result");
    if (!draw || !form || !input || !out) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      verify(draw, text, input.value, out).catch(function (error) {
        out.textContent = String(error);
      });
    });
  }

  window.drawVerify = {compute: compute, commitmentOf: commitmentOf, shuffle: shuffle};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
