// Abbreviations (docs/includes/abbreviations.md) answer to a tap and to keyboard focus, not only
// to a mouse's hover: a note under the term gives its meaning and links to the glossary's entry
// (guidebuild/shortcodes.py gives each entry the id `abbr-<term>`). No network, no dependencies.
(() => {
  const config = document.getElementById("__config");
  const base = config ? JSON.parse(config.textContent).base : ".";
  const slug = (term) => term.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const note = document.createElement("span");
  note.id = "abbr-note";
  note.className = "abbr-note";
  note.setAttribute("role", "tooltip");
  note.hidden = true;
  document.body.append(note);
  let shown = null;

  const hide = () => {
    note.hidden = true;
    shown?.removeAttribute("aria-describedby");
    shown = null;
  };

  const show = (abbr) => {
    if (shown === abbr) return;
    hide();
    const term = abbr.textContent.trim();
    const link = document.createElement("a");
    link.href = `${base}/glossary.html#abbr-${slug(term)}`;
    link.textContent = "Glossary";
    note.replaceChildren(`${term}: ${abbr.title}. `, link);
    note.hidden = false;
    const box = abbr.getBoundingClientRect();
    const page = document.documentElement.clientWidth;
    const left = Math.min(box.left, page - note.offsetWidth - 8);
    note.style.left = `${Math.max(8, left) + window.scrollX}px`;
    note.style.top = `${box.bottom + window.scrollY + 4}px`;
    abbr.setAttribute("aria-describedby", note.id);
    shown = abbr;
  };

  for (const abbr of document.querySelectorAll(".md-typeset abbr[title]")) abbr.tabIndex = 0;
  document.addEventListener("focusin", (event) => {
    const abbr = event.target.closest?.(".md-typeset abbr[title]");
    if (abbr) show(abbr);
    else if (!note.contains(event.target)) hide();
  });
  document.addEventListener("click", (event) => {
    const abbr = event.target.closest?.(".md-typeset abbr[title]");
    if (abbr) show(abbr);
    else if (!note.contains(event.target)) hide();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hide();
  });
})();
