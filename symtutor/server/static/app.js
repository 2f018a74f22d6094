// symtutor practice in the browser: a thin client of the /api/v1 practice, validate and progress routes.
"use strict";
(() => {
  const API = "/api/v1";
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  let state = null;
  let shownId = null;
  let echoTimer = null;
  let echoSeq = 0;
  let busy = false;

  async function api(method, path, body) {
    for (let attempt = 0; ; attempt++) {
      let r;
      try {
        r = await fetch(API + path, {
          method,
          headers: body ? { "content-type": "application/json" } : {},
          body: body ? JSON.stringify(body) : undefined,
          credentials: "same-origin",
        });
      } catch (e) {
        return { ok: false, status: 0, data: { message: "The server cannot be reached." } };
      }
      if (r.status === 503 && attempt < 3) {
        await sleep(1000 * (parseFloat(r.headers.get("retry-after")) || 1));
        continue;
      }
      let data;
      try {
        data = await r.json();
      } catch (e) {
        data = { message: r.statusText };
      }
      return { ok: r.ok, status: r.status, data };
    }
  }

  // ---- maths on the page (MathLive's static rendering, no network)
  function mathInto(el, latex) {
    el.replaceChildren();
    if (!latex) return;
    const span = document.createElement("span");
    span.className = "math";
    try {
      span.innerHTML = window.MathLive.convertLatexToMarkup(latex);
      span.setAttribute("role", "math");
      span.setAttribute("aria-label", window.MathLive.convertLatexToSpeakableText(latex));
    } catch (e) {
      span.textContent = latex;
    }
    el.appendChild(span);
  }

  function mixedInto(el, text) {
    // text with $...$ maths, as the exercise generators write prompts
    el.replaceChildren();
    const parts = String(text).replace(/\$\$/g, "$").split("$");
    parts.forEach((part, i) => {
      if (i % 2 === 0) {
        if (part) el.appendChild(document.createTextNode(part));
      } else {
        const span = document.createElement("span");
        mathInto(span, part);
        el.appendChild(span);
      }
    });
  }

  // ---- the answer fields
  const mf = () => $("answer-math");
  const useText = () => $("use-text").checked;

  function answerText() {
    if (useText()) return $("answer-text").value;
    return mf().getValue("ascii-math");
  }

  function clearAnswer() {
    $("answer-text").value = "";
    if (mf().setValue) mf().setValue("");
    $("understood").replaceChildren();
  }

  function focusAnswer() {
    (useText() ? $("answer-text") : mf()).focus();
  }

  function scheduleEcho() {
    clearTimeout(echoTimer);
    echoTimer = setTimeout(echo, 250);
  }

  async function echo() {
    const text = answerText();
    const seq = ++echoSeq;
    const out = $("understood");
    if (!text.trim() || !state || !state.exercise) {
      out.replaceChildren();
      return;
    }
    const r = await api("POST", "/validate", { answer: text, variables: state.exercise.variables });
    if (seq !== echoSeq) return; // a newer keystroke has its own echo on the way
    out.replaceChildren();
    out.className = "";
    if (!r.ok) {
      out.textContent = r.data.message || "";
      return;
    }
    const v = r.data;
    if (v.status === "invalid") {
      out.className = "invalid";
      out.textContent = v.message;
    } else if (v.status === "ambiguous") {
      out.className = "ambiguous";
      const p = document.createElement("span");
      p.textContent = (v.message || "This can be read in more than one way:") + " ";
      out.appendChild(p);
      v.readings.forEach((reading, i) => {
        const s = document.createElement("span");
        s.className = "reading";
        mathInto(s, reading.latex);
        s.appendChild(document.createTextNode(` (${reading.text})`));
        if (i) out.appendChild(document.createTextNode(" or "));
        out.appendChild(s);
      });
    } else {
      const s = document.createElement("span");
      mathInto(s, v.latex);
      out.appendChild(s);
      const t = document.createElement("span");
      t.className = "as-text";
      t.textContent = ` (${v.text})`;
      out.appendChild(t);
    }
  }

  // ---- showing the session
  function setButtons(done) {
    for (const id of ["check", "hint", "steps", "skip"]) $(id).disabled = done || busy;
    $("next").hidden = !done;
    $("next").disabled = busy;
    mf().readOnly = done;
    $("answer-text").readOnly = done;
  }

  function showTurn(t) {
    const box = $("feedback");
    box.replaceChildren();
    box.className = "feedback";
    const line = document.createElement("p");
    const fb = t.feedback;
    if (fb) {
      box.classList.add(fb.status);
      const label = { correct: "Correct!", incorrect: "Not right.", invalid: "Could not read that.",
        undecided: "Undecided." }[fb.status];
      const strong = document.createElement("strong");
      strong.textContent = label + " ";
      line.appendChild(strong);
      if (fb.message !== label) {
        const msg = document.createElement("span");
        msg.className = "message";
        msg.textContent = fb.message;
        line.appendChild(msg);
      }
      box.appendChild(line);
      if (fb.diagnosis) {
        const d = document.createElement("p");
        d.className = "diagnosis";
        d.dataset.diagnosis = fb.diagnosis;
        d.textContent = "Diagnosis: " + fb.diagnosis.replace(/_/g, " ");
        box.appendChild(d);
      }
      if (fb.understood_latex) {
        const u = document.createElement("p");
        u.className = "seen";
        u.appendChild(document.createTextNode("You wrote: "));
        const m = document.createElement("span");
        mathInto(m, fb.understood_latex);
        u.appendChild(m);
        box.appendChild(u);
      }
      if (fb.status === "incorrect" && !t.done) {
        const p = document.createElement("p");
        p.textContent = "Try again, or take a hint, the steps or skip.";
        box.appendChild(p);
      }
    } else if (t.kind === "steps") {
      line.textContent = "The worked solution (this exercise now scores nothing):";
      box.appendChild(line);
    } else if (t.kind === "skip") {
      line.textContent = "Skipped. " + t.text;
      box.appendChild(line);
    } else if (t.kind === "hint" && t.text.startsWith("No more hints")) {
      line.textContent = t.text;
      box.appendChild(line);
    } else if (t.kind === "hint") {
      line.textContent = "Hint: " + t.text;
      box.appendChild(line);
    }
    if (t.kind === "steps") {
      $("worked").hidden = false;
      $("worked").textContent = t.text;
    }
    if (t.done && t.answer && t.kind === "answer") {
      const p = document.createElement("p");
      p.textContent = `Score for this exercise: ${t.recorded ? t.recorded.score.toFixed(2) : "0.00"}.`;
      box.appendChild(p);
    }
  }

  function show(s) {
    state = s;
    sessionStorage.setItem("symtutor-session", s.session);
    $("index").textContent = s.index;
    $("count").textContent = s.count;
    $("score").textContent = `Score: ${s.score.toFixed(2)} / ${s.finished_exercises}`;
    if (s.summary) {
      $("drill").hidden = true;
      showSummary(s.summary);
      return;
    }
    $("drill").hidden = false;
    $("summary").hidden = true;
    const ex = s.exercise;
    if (ex.id !== shownId) {
      shownId = ex.id;
      const t = $("topic");
      t.textContent = `${ex.topic.replace(/_/g, " ")} · week ${ex.week} · difficulty ${ex.difficulty} · `;
      const code = document.createElement("code");
      code.id = "exercise-id";
      code.textContent = ex.id;
      t.appendChild(code);
      $("drill").dataset.exerciseId = ex.id;
      mixedInto($("prompt"), ex.prompt_latex);
      $("function").replaceChildren();
      $("feedback").replaceChildren();
      $("feedback").className = "feedback";
      $("worked").hidden = true;
      $("worked").textContent = "";
      clearAnswer();
      setTimeout(focusAnswer, 0);
    }
    const hints = $("hints");
    hints.replaceChildren();
    for (const h of s.hints_taken) {
      const li = document.createElement("li");
      li.textContent = h;
      hints.appendChild(li);
    }
    setButtons(s.exercise_done);
    if (s.last) showTurn(s.last);
  }

  function showSummary(sum) {
    const sec = $("summary");
    sec.hidden = false;
    const body = $("summary-body");
    body.replaceChildren();
    const p = document.createElement("p");
    p.textContent = `Done: ${sum.exercises} exercise(s) in ${Math.round(sum.seconds)} s.`;
    body.appendChild(p);
    const ul = document.createElement("ul");
    for (const [topic, v] of Object.entries(sum.scores)) {
      const li = document.createElement("li");
      li.textContent = `${topic.replace(/_/g, " ")}: ${v.score.toFixed(2)} / ${v.exercises}`;
      ul.appendChild(li);
    }
    body.appendChild(ul);
    const n = document.createElement("p");
    n.textContent = `Practise next: ${sum.suggestion}`;
    body.appendChild(n);
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = "Practise again";
    again.addEventListener("click", () => start(null));
    body.appendChild(again);
    again.focus();
  }

  // ---- the progress chart (inline SVG)
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  async function loadProgress() {
    const learner = $("learner").value.trim();
    const r = await api("GET", "/progress?learner=" + encodeURIComponent(learner));
    if (!r.ok) return;
    const p = r.data;
    const tried = p.topics.filter((t) => t.attempts > 0);
    $("progress-text").textContent = p.attempts
      ? `${p.attempts} attempt(s) recorded${learner ? " for " + learner : ""}, on ${tried.length} topic(s).`
      : "No attempts recorded yet.";
    const chart = $("chart");
    chart.replaceChildren();
    if (!tried.length) return;
    const row = 26, labelW = 190, barW = 200, top = 54;
    const height = top + row * tried.length + 8;
    const width = labelW + barW + 60;
    const s = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart",
      "aria-labelledby": "chart-title chart-desc" });
    s.appendChild(svg("title", { id: "chart-title" }, "Mastery per topic, and your latest attempts"));
    s.appendChild(svg("desc", { id: "chart-desc" },
      tried.map((t) => `${t.topic.replace(/_/g, " ")}: ${Math.round(t.mastery * 100)}%`).join("; ")));
    // the latest attempts, oldest first: a dot each, high for correct
    const recent = p.history.slice(-40);
    s.appendChild(svg("text", { x: 0, y: 12, class: "axis" }, "latest attempts"));
    recent.forEach((a, i) => {
      const cls = a.status === "correct" ? "dot ok" : a.status === "incorrect" ? "dot bad" : "dot other";
      const y = a.status === "correct" ? 22 : a.status === "incorrect" ? 38 : 30;
      const c = svg("circle", { cx: labelW + 4 + i * 6.5, cy: y, r: 2.6, class: cls });
      c.appendChild(svg("title", {}, `${a.exercise_id}: ${a.status}`));
      s.appendChild(c);
    });
    tried.forEach((t, i) => {
      const y = top + i * row;
      s.appendChild(svg("text", { x: 0, y: y + 15, class: "label" }, t.topic.replace(/_/g, " ")));
      s.appendChild(svg("rect", { x: labelW, y: y + 3, width: barW, height: 16, class: "track", rx: 3 }));
      s.appendChild(svg("rect", { x: labelW, y: y + 3, width: Math.max(1, barW * t.mastery), height: 16,
        class: "bar", rx: 3 }));
      s.appendChild(svg("text", { x: labelW + barW + 6, y: y + 15, class: "value" },
        `${Math.round(t.mastery * 100)}% L${t.level}`));
    });
    chart.appendChild(s);
  }

  // ---- actions
  async function start(resume) {
    const learner = $("learner").value.trim();
    localStorage.setItem("symtutor-learner", learner);
    const body = { learner };
    if (resume) body.resume = resume;
    const r = await api("POST", "/practice", body);
    if (!r.ok) {
      $("feedback").textContent = r.data.message || "Could not start a session.";
      return;
    }
    shownId = null;
    show(r.data);
    loadProgress();
  }

  async function turn(action) {
    if (busy || !state) return;
    const body = { action };
    if (action === "answer") {
      const text = answerText();
      if (!text.trim()) {
        $("feedback").textContent = "Type an answer first.";
        focusAnswer();
        return;
      }
      body.answer = text;
    }
    busy = true;
    setButtons(state.exercise_done);
    const r = await api("POST", `/practice/${encodeURIComponent(state.session)}/turn`, body);
    busy = false;
    if (r.status === 404) {
      await start(null);
      return;
    }
    if (!r.ok) {
      setButtons(state.exercise_done);
      $("feedback").textContent = r.data.message || "Something went wrong.";
      return;
    }
    show(r.data);
    if (action === "next" && !r.data.summary) focusAnswer();
    if (r.data.exercise_done) $("next").focus();
    if (r.data.last && r.data.last.recorded) loadProgress();
    if (r.data.summary) loadProgress();
  }

  function resume() {
    // the open session of this tab carries on if the server still has it; else a new one starts
    return start(sessionStorage.getItem("symtutor-session"));
  }

  function init() {
    if (window.MathfieldElement) {
      MathfieldElement.fontsDirectory = "/static/vendor/mathlive/fonts";
      MathfieldElement.soundsDirectory = null;
    }
    $("learner").value = localStorage.getItem("symtutor-learner") || "";
    $("learner-form").addEventListener("submit", (e) => {
      e.preventDefault();
      start(null);
    });
    $("answer-form").addEventListener("submit", (e) => {
      e.preventDefault();
      turn("answer");
    });
    mf().addEventListener("input", scheduleEcho);
    mf().addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        turn("answer");
      }
    });
    $("answer-text").addEventListener("input", scheduleEcho);
    $("use-text").addEventListener("change", () => {
      $("text-entry").hidden = !useText();
      $("math-entry").hidden = useText();
      $("understood").replaceChildren();
      focusAnswer();
    });
    $("hint").addEventListener("click", () => turn("hint"));
    $("steps").addEventListener("click", () => turn("steps"));
    $("skip").addEventListener("click", () => turn("skip"));
    $("next").addEventListener("click", () => turn("next"));
    resume();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
