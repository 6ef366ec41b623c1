// Progressive enhancement for rhetorscope's pages; everything works without it.
// Highlights and badges get a card with the technique, its definition, confidence and evidence:
// on hover or keyboard focus it previews, a click (or Enter/Space) pins it, Escape closes it.
"use strict";

(function () {
  let card = null;
  let owner = null;
  let pinned = false;
  let restoring = false;

  function findingIds(el) {
    if (el.dataset.findings) return el.dataset.findings.split(" ");
    const href = el.getAttribute("href") || "";
    return [href.slice(href.lastIndexOf("-") + 1)];
  }

  function ensureCard() {
    if (card) return card;
    card = document.createElement("div");
    card.className = "card";
    card.id = "finding-card";
    card.setAttribute("role", "region");
    card.setAttribute("aria-live", "polite");
    card.setAttribute("aria-label", "Finding details");
    card.hidden = true;
    document.body.appendChild(card);
    return card;
  }

  function show(el, pin) {
    const analysis = el.closest(".analysis");
    if (!analysis) return;
    const doc = analysis.dataset.doc;
    const box = ensureCard();
    box.replaceChildren();
    for (const id of findingIds(el)) {
      const body = document.getElementById("card-" + doc + "-" + id);
      if (body) box.appendChild(body.cloneNode(true)).removeAttribute("id");
    }
    if (!box.childElementCount) return;
    if (owner && owner !== el) owner.classList.remove("active");
    owner = el;
    pinned = pin;
    el.classList.add("active");
    el.setAttribute("aria-expanded", "true");
    box.hidden = false;
    const rect = el.getBoundingClientRect();
    const left = Math.min(rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - box.offsetWidth - 8);
    box.style.left = Math.max(window.scrollX + 4, left) + "px";
    box.style.top = rect.bottom + window.scrollY + 6 + "px";
  }

  function hide(force) {
    if (!card || (pinned && !force)) return;
    card.hidden = true;
    if (owner) {
      owner.classList.remove("active");
      owner.setAttribute("aria-expanded", "false");
    }
    owner = null;
    pinned = false;
  }

  function target(event) {
    return event.target.closest && event.target.closest(".analysis mark.hl, .analysis .seg-head .badge");
  }

  document.addEventListener("DOMContentLoaded", function () {
    for (const mark of document.querySelectorAll(".analysis mark.hl")) {
      mark.tabIndex = 0;
      mark.setAttribute("role", "button");
      mark.setAttribute("aria-expanded", "false");
      mark.setAttribute("aria-controls", "finding-card");
    }
    const form = document.getElementById("analyze-form");
    if (form) {
      form.addEventListener("submit", function () {
        const button = form.querySelector("button[type=submit]");
        button.setAttribute("aria-busy", "true");
        button.textContent = "Analyzing…";
      });
    }
  });

  document.addEventListener("mouseover", function (event) {
    const el = target(event);
    if (el && !pinned) show(el, false);
  });
  document.addEventListener("mouseout", function (event) {
    const el = target(event);
    if (el && el === owner && !(card && card.contains(event.relatedTarget))) hide(false);
  });
  document.addEventListener("focusin", function (event) {
    const el = target(event);
    if (el && !restoring) show(el, false);
    else if (!el && !(card && card.contains(event.target))) hide(true);
  });
  document.addEventListener("click", function (event) {
    const el = target(event);
    if (el) {
      event.preventDefault();
      if (pinned && owner === el) hide(true);
      else show(el, true);
    } else if (card && !card.contains(event.target)) {
      hide(true);
    }
  });
  document.addEventListener("keydown", function (event) {
    const el = target(event);
    if (el && (event.key === "Enter" || event.key === " ") && el.tagName === "MARK") {
      event.preventDefault();
      show(el, true);
    } else if (event.key === "Escape" && card && !card.hidden) {
      const back = card.contains(document.activeElement) ? owner : null;
      hide(true);
      if (back) {
        restoring = true;
        back.focus();
        restoring = false;
      }
    }
  });
})();
