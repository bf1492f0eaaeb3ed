// The practice page (docs/practice.md, overrides/practice.html): a timed mock interview and
// spaced repetition over every question of the guide, read from the bank the build writes
// (assets/practice/bank.js, guidebuild/practice.py). Progress stays in this browser's
// localStorage under keys that start with "field-guide-practice:". No network, no modules and no
// fetch, so the page works from file:// in the offline zip. Without this script the page's own
// text links every chapter's "Check yourself" instead.
(() => {
  "use strict";

  const PREFIX = "field-guide-practice:";
  const KEY = `${PREFIX}v1`;
  const VERSION = 1;
  const LEVELS = ["recall", "apply", "design"];
  const LETTERS = "ABCDEFGH";
  const COUNTS = [5, 10, 15];
  const NEW_PER_DAY = 10;
  const KIND_NAMES = { choice: "multiple choice", numeric: "numeric answer", open: "open answer" };

  // ---------------------------------------------------------------------------------------------
  // SM-2 (SuperMemo 2, Wozniak 1990), as the page states it. Pure: no storage, no clock.
  // Every change to the easiness factor (EF) is a multiple of 0.02, so EF is kept in hundredths
  // and the arithmetic is exact: no 2.3600000000000003, no interval off by one from rounding.
  const GRADES = { again: 1, hard: 3, good: 4, easy: 5 };
  const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
  const pad = (n) => String(n).padStart(2, "0");

  const sm2 = {
    GRADES,
    newCard: () => ({ ef: 2.5, reps: 0, interval: 0, due: null }),
    /** The local calendar date of `now` as YYYY-MM-DD. */
    today(now = new Date()) {
      return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    },
    /** `day` (YYYY-MM-DD) plus `days` calendar days. */
    addDays(day, days) {
      const match = DAY.exec(day);
      if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${day}`);
      const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3] + days));
      return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    },
    /** The card after a review graded `grade` (1 to 5, or again/hard/good/easy) on `day`. */
    review(card, grade, day = sm2.today()) {
      const q = typeof grade === "string" ? GRADES[grade] : grade;
      if (!Number.isInteger(q) || q < 0 || q > 5) throw new RangeError(`not a grade: ${grade}`);
      // EF' = max(1.3, EF + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)), in hundredths.
      const miss = 5 - q;
      const ef100 = Math.max(130, Math.round(card.ef * 100) + 10 - miss * (8 + miss * 2));
      let reps = 0;
      let interval = 0;
      if (q >= 3) {
        reps = card.reps + 1;
        if (reps === 1) interval = 1;
        else if (reps === 2) interval = 6;
        else interval = Math.ceil((card.interval * ef100) / 100);
      }
      return { ef: ef100 / 100, reps, interval, due: sm2.addDays(day, interval), last: day };
    },
  };
  window.FieldGuidePractice = { sm2, storageKey: KEY };

  const mount = document.getElementById("practice-app");
  if (!mount) return;
  const bank = window.FIELD_GUIDE_BANK;
  if (!bank || !Array.isArray(bank.questions) || !Array.isArray(bank.parts)) {
    mount.hidden = false;
    mount.textContent = "The question bank did not load, so the practice tools cannot start. " +
      "Every chapter's questions are still at the end of its pages, linked below.";
    return;
  }

  // ---------------------------------------------------------------------------------------------
  // The bank.
  const kindOf = (q) => q.kind || (q.choices ? "choice" : q.numeric ? "numeric" : "open");
  const questions = bank.questions.map((q) => ({ ...q, kind: kindOf(q), level: q.level || "" }));
  const byId = new Map(questions.map((q) => [q.id, q]));
  const parts = bank.parts.filter((part) => questions.some((q) => q.part === part.name));
  const partTitle = new Map(parts.map((part) => [part.name, part.title]));
  const levelsInBank = [...LEVELS, ...new Set(questions.map((q) => q.level))]
    .filter((level, i, all) => level && all.indexOf(level) === i);

  // ---------------------------------------------------------------------------------------------
  // What this browser keeps: { v, seen: {id: ms}, results: {id: {g, at}}, cards: {id: card},
  // fresh: {day, count} } (new cards started on `day`).
  const empty = () => ({
    v: VERSION, seen: {}, results: {}, cards: {}, fresh: { day: "", count: 0 },
  });
  let notice = "";

  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  const validCard = (c) => isObject(c) && Number.isFinite(c.ef) && c.ef >= 1.3 &&
    Number.isInteger(c.reps) && c.reps >= 0 && Number.isInteger(c.interval) && c.interval >= 0 &&
    typeof c.due === "string" && DAY.test(c.due);

  function load() {
    let raw;
    try {
      raw = window.localStorage.getItem(KEY);
    } catch {
      notice = "This browser does not let the page keep anything, so your progress lasts only " +
        "until you leave the page.";
      return empty();
    }
    if (raw === null) return empty();
    let data;
    try {
      data = JSON.parse(raw);
    } catch {
      data = null;
    }
    if (!isObject(data) || data.v !== VERSION || !isObject(data.seen) ||
        !isObject(data.results) || !isObject(data.cards)) {
      notice = "Your saved practice progress could not be read (it is damaged or from another " +
        "version of this page), so it starts again from empty.";
      return empty();
    }
    // Keep every entry that still makes sense; drop the rest quietly.
    const state = empty();
    for (const [id, at] of Object.entries(data.seen)) if (Number.isFinite(at)) state.seen[id] = at;
    for (const [id, r] of Object.entries(data.results)) {
      if (isObject(r) && Number.isInteger(r.g) && Number.isFinite(r.at)) state.results[id] = r;
    }
    for (const [id, card] of Object.entries(data.cards)) {
      if (validCard(card)) state.cards[id] = card;
    }
    if (isObject(data.fresh) && typeof data.fresh.day === "string" &&
        Number.isInteger(data.fresh.count)) state.fresh = data.fresh;
    return state;
  }

  function save() {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(state));
    } catch {
      // Storage full or blocked: the session goes on, and the notice says nothing is kept.
    }
  }

  function erase() {
    try {
      const mine = [];
      for (let i = 0; i < window.localStorage.length; i += 1) {
        const key = window.localStorage.key(i);
        if (key && key.startsWith(PREFIX)) mine.push(key);
      }
      mine.forEach((key) => window.localStorage.removeItem(key));
    } catch {
      // Nothing was kept.
    }
    state = empty();
  }

  let state = load();
  const markSeen = (q, at = Date.now()) => {
    state.seen[q.id] = at;
  };
  const record = (q, grade) => {
    state.results[q.id] = { g: grade, at: Date.now() };
  };

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers.
  let serial = 0;
  const uid = (stem) => `practice-${stem}-${(serial += 1)}`;

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.className = value;
      else if (name === "html") el.innerHTML = value;
      else if (name === "checked" || name === "value") el[name] = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) el.append(child);
    }
    return el;
  }

  const plain = (html) => {
    const box = document.createElement("div");
    box.innerHTML = html;
    return box.textContent.trim();
  };
  const button = (label, onclick, extra = "") =>
    h("button", { type: "button", class: `practice__button ${extra}`.trim(), onclick }, label);
  const days = (n) => (n === 0 ? "today" : n === 1 ? "1 day" : `${n} days`);
  const score = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  const percent = (part, whole) => `${Math.round((100 * part) / whole)}%`;
  const clock = (seconds) => `${Math.floor(seconds / 60)}:${pad(seconds % 60)}`;
  const duration = (seconds) => {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return [m && `${m} minute${m === 1 ? "" : "s"}`, s && `${s} second${s === 1 ? "" : "s"}`]
      .filter(Boolean).join(" ") || "0 seconds";
  };
  const describe = (q) =>
    [partTitle.get(q.part) || q.part, q.level, KIND_NAMES[q.kind]].filter(Boolean).join(" · ");

  function focusHeading(el) {
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "start" });
  }

  function show(view, focus) {
    stopClock();
    mount.replaceChildren(view);
    if (focus) focusHeading(focus);
  }

  // ---------------------------------------------------------------------------------------------
  // One question: ask, answer (choose, type a number or write notes), then the model answer.
  // `then(outcome, bits)` runs once the reader has checked or revealed: outcome.right is true
  // or false for choice and numeric questions, null for open ones.
  function questionCard(q, title, then) {
    const id = uid("q");
    const heading = h("h2", { id: `${id}-title`, class: "practice__heading", tabindex: "-1" },
      title);
    const result = h("p", { class: "practice__result", role: "status" });
    const answer = h("div", { class: "practice__answer", hidden: true, tabindex: "-1" },
      h("h3", {}, "Model answer"),
      h("div", { class: "practice__answer-body", html: q.answer || "" }),
      q.rubric ? rubric(q.rubric) : null,
      sourceLink(q, "Where the guide teaches it: "));
    const article = h("article", {
      class: "practice__question", "data-id": q.id, "data-kind": q.kind,
      "aria-labelledby": heading.id,
    }, heading, h("p", { class: "practice__meta" }, describe(q)));
    let done = false;
    const finish = (outcome) => {
      done = true;
      answer.hidden = false;
      then(outcome, { article, answer, result });
    };

    if (q.kind === "choice" && Array.isArray(q.choices)) {
      const fieldset = h("fieldset", { class: "practice__choices" },
        h("legend", { class: "practice__ask", html: q.ask }));
      const inputs = q.choices.map((choice, i) => {
        const input = h("input", {
          type: "radio", name: `${id}-choice`, id: `${id}-${i}`, value: String(i),
        });
        fieldset.append(h("div", { class: "practice__option" }, input,
          h("label", { for: input.id, html: `${LETTERS[i]}. ${choice}` })));
        return input;
      });
      const check = h("button", { type: "submit", class: "practice__button" }, "Check");
      const form = h("form", { class: "practice__form" }, fieldset, check);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (done) return;
        const chosen = inputs.find((input) => input.checked);
        if (!chosen) {
          result.textContent = "Choose an answer first.";
          inputs[0].focus();
          return;
        }
        const right = Number(chosen.value) === q.correct;
        const mark = (input, text, cls) => {
          input.parentElement.classList.add(cls);
          input.parentElement.append(h("span", { class: "practice__mark" }, text));
        };
        mark(inputs[q.correct], right ? "\u2713 your answer, right" : "\u2713 right answer",
          "practice__option--right");
        if (!right) mark(chosen, "\u2717 your answer", "practice__option--wrong");
        inputs.forEach((input) => { input.disabled = true; });
        check.hidden = true;
        result.textContent = right
          ? `Right: ${LETTERS[q.correct]}.`
          : `Not quite: the answer is ${LETTERS[q.correct]}, ${plain(q.choices[q.correct])}`;
        finish({ right });
      });
      article.append(form);
    } else if (q.kind === "numeric" && q.numeric) {
      const { value, unit = "", tolerance = 0.02 } = q.numeric;
      const input = h("input", {
        type: "text", id: `${id}-number`, inputmode: "decimal", autocomplete: "off",
        spellcheck: "false", class: "practice__number",
      });
      const check = h("button", { type: "submit", class: "practice__button" }, "Check");
      const form = h("form", { class: "practice__form" },
        h("p", { class: "practice__ask", html: q.ask }),
        h("p", { class: "practice__field" },
          h("label", { for: input.id }, unit ? `Your answer, in ${unit}` : "Your answer"), input),
        check);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (done) return;
        const typed = readNumber(input.value);
        if (typed === null) {
          result.textContent = "Type a number first.";
          input.focus();
          return;
        }
        const right = Math.abs(typed - value) <= tolerance * Math.abs(value) + 1e-9;
        const exact = `${value}${unit ? ` ${unit}` : ""}`;
        input.readOnly = true;
        check.hidden = true;
        result.textContent = right
          ? `Right: ${exact} (anything within ${+(tolerance * 100).toFixed(2)}% counts).`
          : `Not quite: you wrote ${typed}; the answer is ${exact}.`;
        finish({ right });
      });
      article.append(form);
    } else {
      const notes = h("textarea", { id: `${id}-notes`, rows: "4", class: "practice__notes" });
      const reveal = button("Show the model answer", () => {
        if (done) return;
        notes.readOnly = true;
        reveal.hidden = true;
        finish({ right: null });
      });
      article.append(
        h("p", { class: "practice__ask", html: q.ask }),
        h("p", { class: "practice__field" },
          h("label", { for: notes.id }, "Your notes (optional; they are not kept)"), notes),
        reveal);
    }
    article.append(result, answer);
    return { article, heading };
  }

  /** A link to the section of the guide that teaches `q`'s answer. */
  function sourceLink(q, lead) {
    const where = [q.pageTitle, q.sectionTitle].filter(Boolean).join(": ") || q.page;
    return h("p", { class: "practice__source" }, lead,
      h("a", { href: q.section ? `${q.page}#${q.section}` : q.page }, where));
  }

  function rubric(r) {
    const list = h("dl", { class: "practice__rubric" });
    for (const [grade, label] of [["strong", "Strong"], ["average", "Average"], ["weak", "Weak"]]) {
      if (r[grade]) list.append(h("dt", {}, label), h("dd", { html: r[grade] }));
    }
    return [h("h3", {}, "What a strong, an average and a weak answer say"), list];
  }

  /** "43.2", "43,2", "1,800", "2.5e3" or "43.2 minutes" -> a number, or null. */
  function readNumber(text) {
    let t = String(text).trim().replace(/[\s_\u00a0]/g, "");
    if (/^-?\d{1,3}(,\d{3})+(\.\d+)?/.test(t)) t = t.replace(/,/g, "");
    else t = t.replace(",", ".");
    const match = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.exec(t);
    return match ? Number(match[0]) : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Picking a mock: never seen first, then least recently seen (a mock stamps all its questions
  // with its start, so they come back together, as a set); within that, spread over parts, then
  // levels, then kinds; ties broken at random. Two mocks in a row share nothing while unseen
  // questions remain, and a question comes back only once the pool has gone round.
  function pick(pool, count) {
    const used = { part: new Map(), level: new Map(), kind: new Map() };
    const chance = new Map(pool.map((q) => [q.id, Math.random()]));
    const key = (q) => [
      state.seen[q.id] || 0,
      used.part.get(q.part) || 0,
      used.level.get(q.level) || 0,
      used.kind.get(q.kind) || 0,
      chance.get(q.id),
    ];
    const before = (a, b) => {
      for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i] < b[i];
      return false;
    };
    const left = pool.slice();
    const chosen = [];
    while (chosen.length < count && left.length) {
      let best = 0;
      let bestKey = key(left[0]);
      for (let i = 1; i < left.length; i += 1) {
        const k = key(left[i]);
        if (before(k, bestKey)) [best, bestKey] = [i, k];
      }
      const [q] = left.splice(best, 1);
      chosen.push(q);
      for (const name of ["part", "level", "kind"]) {
        used[name].set(q[name], (used[name].get(q[name]) || 0) + 1);
      }
    }
    return chosen;
  }

  // ---------------------------------------------------------------------------------------------
  // The countdown of a mock: one timer, read from the clock (not counted), announced at
  // milestones only.
  let ticking = null;
  function stopClock() {
    if (ticking !== null) window.clearInterval(ticking);
    ticking = null;
  }

  function startClock(seconds, display, announce, onTimeUp) {
    const end = Date.now() + seconds * 1000;
    const milestones = [...new Set([Math.floor(seconds / 2), 300, 60])]
      .filter((m) => m > 0 && m < seconds).sort((a, b) => b - a);
    let last = seconds;
    const tick = () => {
      const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      if (left !== last) {
        display.textContent = clock(left);
        const passed = milestones.filter((m) => m < last && m >= left);
        if (passed.length && left > 0) announce.textContent = `${duration(left)} left.`;
        last = left;
      }
      if (left === 0) {
        stopClock();
        onTimeUp();
      }
    };
    display.textContent = clock(seconds);
    ticking = window.setInterval(tick, 1000);
  }

  // ---------------------------------------------------------------------------------------------
  // The mock interview.
  const settings = { count: COUNTS[0], parts: new Set(parts.map((part) => part.name)) };

  function startMock() {
    const pool = questions.filter((q) => settings.parts.has(q.part));
    const chosen = pick(pool, settings.count);
    const perQuestion = Number(mount.dataset.secondsPerQuestion) || 180;
    const session = {
      questions: chosen, outcomes: new Map(), shown: new Set(), index: 0, started: Date.now(),
      timeUp: false,
    };

    const display = h("span", { class: "practice__time", role: "timer" });
    const announce = h("p", { class: "practice__sr", role: "status" });
    const bar = h("div", { class: "practice__bar" },
      h("p", { class: "practice__clock" }, "Time left ", display),
      button("End the mock now", () => finishMock(session), "practice__end"));
    const slot = h("div", { class: "practice__slot" });
    const view = h("section", { class: "practice__mock", "aria-label": "Mock interview" },
      bar, announce, slot);

    const showQuestion = () => {
      const q = session.questions[session.index];
      const n = session.index + 1;
      const total = session.questions.length;
      markSeen(q, session.started);
      session.shown.add(q.id);
      save();
      // Skip until answered, then Next: a question you cannot answer need not hold up the rest.
      const next = button(n === total ? "Skip to your results" : "Skip this question", () => {
        session.index += 1;
        if (session.index < total) showQuestion();
        else finishMock(session);
      }, "practice__next");
      const ready = () => {
        next.textContent = n === total ? "See your results" : "Next question";
        next.classList.add("practice__button--primary");
        next.focus();
      };
      const { article, heading } = questionCard(q, `Question ${n} of ${total}`, (outcome, card) => {
        if (outcome.right !== null) {
          session.outcomes.set(q.id, outcome.right
            ? { score: 1, label: "Right" } : { score: 0, label: "Wrong" });
          record(q, outcome.right ? GRADES.good : GRADES.again);
          save();
          ready();
          return;
        }
        session.outcomes.set(q.id, { score: 0, label: "Not graded" });
        card.answer.append(selfGrade(q, session, ready));
        card.answer.focus();
      });
      article.append(next);
      slot.replaceChildren(article);
      focusHeading(heading);
    };

    show(view);
    startClock(perQuestion * chosen.length, display, announce, () => {
      session.timeUp = true;
      finishMock(session);
    });
    if (chosen.length) showQuestion();
    else finishMock(session);
  }

  function selfGrade(q, session, ready) {
    const grades = [
      ["Strong", 1, GRADES.good], ["Average", 0.5, GRADES.hard], ["Weak", 0, GRADES.again],
    ];
    const status = h("p", { class: "practice__result", role: "status" });
    const buttons = grades.map(([label, points, grade]) => {
      const b = button(label, () => {
        session.outcomes.set(q.id, { score: points, label });
        record(q, grade);
        save();
        buttons.forEach((other) => other.setAttribute("aria-pressed", String(other === b)));
        status.textContent = `Graded ${label}.`;
        ready();
      }, `practice__self-${label.toLowerCase()}`);
      b.setAttribute("aria-pressed", "false");
      return b;
    });
    return h("div", { class: "practice__grade" },
      h("fieldset", { class: "practice__buttons" },
        h("legend", {}, "Grade your answer against the rubric"), buttons),
      status);
  }

  function finishMock(session) {
    stopClock();
    // The review shows every model answer: the questions not reached count as seen too.
    for (const q of session.questions) {
      if (!session.shown.has(q.id)) markSeen(q, session.started);
    }
    save();
    const rows = session.questions.map((q) => ({
      q, ...(session.outcomes.get(q.id) || { score: 0, label: "Not answered" }),
    }));
    const answered = rows.filter((row) => row.label !== "Not answered").length;
    const total = rows.reduce((sum, row) => sum + row.score, 0);
    const seconds = Math.round((Date.now() - session.started) / 1000);
    const heading = h("h2", { id: uid("summary"), class: "practice__heading", tabindex: "-1" },
      session.timeUp ? "Time is up: your mock interview reviewed" : "Your mock interview reviewed");
    const table = (caption, key, names, label) => {
      const body = names.map((name) => {
        const mine = rows.filter((row) => row.q[key] === name);
        if (!mine.length) return null;
        const got = mine.reduce((sum, row) => sum + row.score, 0);
        return h("tr", { "data-name": name },
          h("th", { scope: "row" }, label(name)), h("td", {}, String(mine.length)),
          h("td", {}, `${score(got)} of ${mine.length}`));
      });
      return h("div", { class: "practice__table" }, h("table", {},
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, key === "part" ? "Part" : "Level"),
          h("th", { scope: "col" }, "Questions"), h("th", { scope: "col" }, "Score"))),
        h("tbody", {}, body)));
    };
    const list = h("ol", { class: "practice__review" }, rows.map(({ q, label }) =>
      h("li", { "data-id": q.id, "data-result": label },
        h("p", { class: "practice__ask", html: q.ask }),
        h("p", { class: "practice__meta" }, `${describe(q)}: `, h("strong", {}, label)),
        sourceLink(q, "Reread "),
        h("details", { class: "practice__details" }, h("summary", {}, "Model answer"),
          h("div", { html: q.answer || "" }), q.rubric ? rubric(q.rubric) : null))));
    const view = h("section", {
      class: "practice__summary", "aria-labelledby": heading.id,
      "data-score": String(total), "data-answered": String(answered),
      "data-total": String(rows.length),
    },
    heading,
    h("p", { class: "practice__score" },
      `Score: ${score(total)} of ${rows.length}` +
      (rows.length ? ` (${percent(total, rows.length)})` : "") +
      `. You answered ${answered} of ${rows.length} in ${duration(seconds)}.`),
    h("p", {}, "A right choice or number counts 1; your own grade of an open answer counts 1 " +
      "for Strong, \u00bd for Average and 0 for Weak."),
    table("By part", "part", parts.map((part) => part.name), (name) => partTitle.get(name) || name),
    table("By level", "level", levelsInBank, (name) => name),
    h("h3", {}, "Question by question"),
    list,
    h("p", { class: "practice__actions" },
      button("Start another mock", startMock, "practice__button--primary"),
      button("Back to the practice menu", () => renderHome(true), "practice__back")));
    show(view, heading);
  }

  // ---------------------------------------------------------------------------------------------
  // Spaced repetition.
  function dueIds(day) {
    return Object.entries(state.cards)
      .filter(([id, card]) => byId.has(id) && card.due <= day)
      .sort((a, b) => (a[1].due < b[1].due ? -1 : a[1].due > b[1].due ? 1 : 0))
      .map(([id]) => id);
  }

  function newIds(day) {
    const started = state.fresh.day === day ? state.fresh.count : 0;
    const room = Math.max(0, NEW_PER_DAY - started);
    // Round robin over the parts, in the bank's order, so new cards come from every part.
    const queues = parts.map((part) =>
      questions.filter((q) => q.part === part.name && !state.cards[q.id]));
    const out = [];
    for (let i = 0; out.length < room && queues.some((queue) => i < queue.length); i += 1) {
      for (const queue of queues) if (i < queue.length && out.length < room) out.push(queue[i].id);
    }
    return out;
  }

  function startReview() {
    const day = sm2.today();
    const queue = [...dueIds(day), ...newIds(day)];
    let shown = 0;
    const status = h("p", { class: "practice__result", role: "status" });
    const left = h("span", { class: "practice__count" });
    const bar = h("div", { class: "practice__bar" }, h("p", {}, left),
      button("End the review", () => reviewDone(true), "practice__end"));
    const slot = h("div", { class: "practice__slot" });
    const view = h("section", { class: "practice__reviewing", "aria-label": "Review" },
      bar, status, slot);

    const reviewDone = (early) => {
      const next = Object.values(state.cards).map((c) => c.due).filter((d) => d > day).sort()[0];
      const heading = h("h2", { class: "practice__heading", tabindex: "-1" },
        early ? "Review ended" : "Review done");
      const remaining = dueIds(day).length;
      show(h("section", { class: "practice__done" }, heading,
        h("p", {}, remaining
          ? `${remaining} card${remaining === 1 ? " is" : "s are"} still due today.`
          : "Nothing more is due today." +
            (next ? ` The next card is due on ${next}.` : "")),
        h("p", { class: "practice__actions" },
          button("Back to the practice menu", () => renderHome(true),
            "practice__button--primary practice__back"))),
      heading);
    };

    const showCard = () => {
      if (!queue.length) {
        reviewDone(false);
        return;
      }
      const id = queue.shift();
      const q = byId.get(id);
      const card = state.cards[id];
      shown += 1;
      left.textContent = `${queue.length} more after this one`;
      markSeen(q);
      save();
      const label = card ? (card.reps === 0 ? "again" : `due ${card.due}`) : "new card";
      const { article, heading } = questionCard(q, `Review card ${shown}`, (outcome, bits) => {
        const before = card || sm2.newCard();
        const grades = h("fieldset", { class: "practice__buttons practice__grades" },
          h("legend", {}, "How well did you know it? Each button says when the card comes back."),
          Object.entries(GRADES).map(([name, grade]) => {
            const after = sm2.review(before, grade, day);
            const label = `${name[0].toUpperCase()}${name.slice(1)}: ${days(after.interval)}`;
            return button(label, () => {
              state.cards[id] = after;
              if (!card) {
                if (state.fresh.day !== day) state.fresh = { day, count: 0 };
                state.fresh.count += 1;
              }
              record(q, grade);
              if (grade < 3) queue.push(id);
              save();
              status.textContent = grade < 3
                ? "Again: it comes back later in this review."
                : `Next review in ${days(after.interval)}, on ${after.due}.`;
              showCard();
            }, `practice__grade-${name}`);
          }));
        bits.answer.append(grades);
        bits.answer.focus();
        if (outcome.right === false) bits.result.append(" Again is the honest grade.");
      });
      article.querySelector(".practice__meta").append(` \u00b7 ${label}`);
      slot.replaceChildren(article);
      focusHeading(heading);
    };
    show(view);
    showCard();
  }

  // ---------------------------------------------------------------------------------------------
  // The menu: start a mock, start today's review, progress per part with a reset.
  function renderHome(focus = false) {
    const day = sm2.today();
    const noticeLine = h("p", { class: "practice__notice", role: "status" }, notice);
    const countName = uid("count");
    const counts = h("fieldset", { class: "practice__choices" },
      h("legend", {}, "How many questions"),
      COUNTS.map((n) => {
        const input = h("input", {
          type: "radio", name: countName, id: `${countName}-${n}`, value: String(n),
          checked: settings.count === n,
        });
        input.addEventListener("change", () => { settings.count = n; });
        return h("div", { class: "practice__option" }, input,
          h("label", { for: input.id }, `${n} questions, ${n * 3} minutes`));
      }));
    const partsBox = h("fieldset", { class: "practice__choices practice__parts" },
      h("legend", {}, "Parts"),
      parts.map((part) => {
        const input = h("input", {
          type: "checkbox", id: uid("part"), value: part.name,
          checked: settings.parts.has(part.name),
        });
        input.addEventListener("change", () => {
          if (input.checked) settings.parts.add(part.name);
          else settings.parts.delete(part.name);
        });
        const count = questions.filter((q) => q.part === part.name).length;
        return h("div", { class: "practice__option" }, input,
          h("label", { for: input.id }, `${part.title} (${count})`));
      }));
    const mockStatus = h("p", { class: "practice__result", role: "status" });
    const form = h("form", { class: "practice__setup" }, counts, partsBox,
      h("button", {
        type: "submit", class: "practice__button practice__button--primary practice__start",
      }, "Start the mock interview"),
      mockStatus);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!settings.parts.size) {
        mockStatus.textContent = "Choose at least one part.";
        partsBox.querySelector("input").focus();
        return;
      }
      startMock();
    });

    const dueLine = h("p", { class: "practice__due" });
    const reviewSlot = h("p", { class: "practice__actions" });
    const progressSlot = h("div", { class: "practice__table" });
    const resetStatus = h("p", {
      class: "practice__result practice__reset-status", role: "status",
    });
    let armed = null;
    const reset = button("Reset progress", () => {
      if (!armed) {
        reset.textContent = "Press again to erase all progress";
        resetStatus.textContent = "This erases what this page keeps in your browser: the " +
          "questions you have seen, your grades and your review schedule. Press the button " +
          "again to erase it, or wait and nothing happens.";
        armed = window.setTimeout(disarm, 10000);
        return;
      }
      disarm();
      erase();
      notice = "";
      noticeLine.textContent = "";
      update();
      resetStatus.textContent = "Progress erased: this page keeps nothing now.";
    }, "practice__reset");
    const disarm = () => {
      window.clearTimeout(armed);
      armed = null;
      reset.textContent = "Reset progress";
    };
    reset.addEventListener("blur", () => {
      if (armed) {
        disarm();
        resetStatus.textContent = "Nothing was erased.";
      }
    });

    const update = () => {
      const due = dueIds(day).length;
      const fresh = newIds(day).length;
      dueLine.textContent = `Due today: ${due} card${due === 1 ? "" : "s"}, and ${fresh} new ` +
        `card${fresh === 1 ? "" : "s"} (up to ${NEW_PER_DAY} a day).`;
      dueLine.dataset.due = String(due);
      reviewSlot.replaceChildren(due + fresh
        ? button(`Start today's review (${due + fresh} card${due + fresh === 1 ? "" : "s"})`,
          startReview, "practice__button--primary practice__start-review")
        : "Nothing to review today.");
      progressSlot.replaceChildren(progressTable(day));
    };
    update();

    const mockTitle = h("h2", { id: "practice-mock", tabindex: "-1" }, "Mock interview");
    show(h("div", { class: "practice__home" },
      noticeLine,
      h("section", { "aria-labelledby": "practice-mock" }, mockTitle,
        h("p", {}, "The page draws questions across the parts you choose and the three levels " +
          "(recall, apply, design), questions you have not seen first. You get three minutes a " +
          "question; when the time is up, the mock ends and you review it."),
        form),
      h("section", { "aria-labelledby": "practice-review" },
        h("h2", { id: "practice-review" }, "Spaced repetition"),
        h("p", {}, "Review cards are scheduled with SM-2 (",
          h("a", { href: "#how-reviews-are-scheduled" }, "how"),
          "): grade each card Again, Hard, Good or Easy, and it comes back today, or in the " +
          "number of days its button shows."),
        dueLine, reviewSlot),
      h("section", { "aria-labelledby": "practice-progress" },
        h("h2", { id: "practice-progress" }, "Your progress"),
        h("p", {}, "Seen: the questions a mock or a review has shown you. Good or better: the " +
          "share of your answers that were right, or that you graded Strong, Good or Easy. Due: " +
          "review cards due today."),
        progressSlot,
        h("p", { class: "practice__actions" }, reset), resetStatus)), focus ? mockTitle : null);
  }

  function progressTable(day) {
    const rows = parts.map((part) => {
      const mine = questions.filter((q) => q.part === part.name);
      const seen = mine.filter((q) =>
        state.seen[q.id] || state.results[q.id] || state.cards[q.id]).length;
      const graded = mine.filter((q) => state.results[q.id]);
      const good = graded.filter((q) => state.results[q.id].g >= GRADES.good).length;
      const due = mine.filter((q) => state.cards[q.id] && state.cards[q.id].due <= day).length;
      return { part, total: mine.length, seen, graded: graded.length, good, due };
    });
    const cells = (r) => [
      h("td", { "data-seen": String(r.seen) }, `${r.seen} of ${r.total}`),
      h("td", {}, r.graded ? `${percent(r.good, r.graded)} of ${r.graded}` : "none yet"),
      h("td", {}, String(r.due)),
    ];
    const sum = (key) => rows.reduce((s, r) => s + r[key], 0);
    const all = {
      total: sum("total"), seen: sum("seen"), graded: sum("graded"), good: sum("good"),
      due: sum("due"),
    };
    return h("table", {},
      h("caption", {}, "Progress per part"),
      h("thead", {}, h("tr", {}, ["Part", "Seen", "Good or better", "Due"].map((name) =>
        h("th", { scope: "col" }, name)))),
      h("tbody", {}, rows.map((r) => h("tr", { "data-part": r.part.name },
        h("th", { scope: "row" }, h("a", { href: r.part.index }, r.part.title)), cells(r)))),
      h("tfoot", {}, h("tr", { "data-part": "" },
        h("th", { scope: "row" }, "All parts"), cells(all))));
  }

  mount.hidden = false;
  renderHome();
})();
