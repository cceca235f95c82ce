// Wide tables scroll inside their own box on narrow screens; such a box must be reachable
// by keyboard (WCAG 2.1.1, axe: scrollable-region-focusable). The theme wraps tables after
// the page loads, so this runs on load and marks each box that actually scrolls.
addEventListener("load", function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table (scrolls sideways)");
    }
  });
});
