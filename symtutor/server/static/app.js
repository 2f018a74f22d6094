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

  // ---- the maths field's LaTeX as the text symtutor reads. MathLive's own ascii-math drops the brackets
  // of a one-character power (x^{3}\exp(x) comes out as "x^3exp (x)", which reads two ways), so the LaTeX
  // is translated here: every power and fraction keeps its brackets, and nothing is guessed.
  const FUNCS = new Set(["sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh", "arcsin", "arccos",
    "arctan", "asin", "acos", "atan", "exp", "ln", "log", "sqrt", "sigmoid", "abs", "max", "min"]);
  const NAMED = { exponentialE: "e", imaginaryI: "i", differentialD: "d", infty: "oo", cdot: "*", times: "*",
    ast: "*", div: "/", lbrack: "[", rbrack: "]", lparen: "(", rparen: ")", "{": "(", "}": ")", lbrace: "(",
    rbrace: ")", "%": "%", colon: ":", vert: "|", lvert: "|", rvert: "|", mid: "|", prime: "'" };
  const SPACES = new Set([",", ";", ":", "!", " ", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace"]);
  const WRAPS = new Set(["mathrm", "operatorname", "text", "textrm", "mathit", "mathbf", "boldsymbol", "mathnormal",
    "mathsf", "mathtt", "displaystyle", "textstyle", "mathord", "mathbin", "mathrel", "mathop"]);
  const FRACS = new Set(["frac", "dfrac", "tfrac", "cfrac"]);
  const LEFTS = new Set(["left", "mleft", "bigl", "Bigl", "biggl", "Biggl", "big", "Big"]);
  const RIGHTS = new Set(["right", "mright", "bigr", "Bigr", "biggr", "Biggr"]);

  function latexToText(latex) {
    const toks = [];
    for (let i = 0; i < latex.length; ) {
      const c = latex[i];
      if (c === "\\") {
        const m = /^[A-Za-z]+/.exec(latex.slice(i + 1));
        const name = m ? m[0] : latex[i + 1] || "";
        toks.push("\\" + name);
        i += 1 + name.length;
      } else if (/\s/.test(c)) {
        i++;
      } else {
        toks.push(c);
        i++;
      }
    }
    let k = 0;
    const peek = () => toks[k];
    const cmd = (t) => (t && t[0] === "\\" && t.length > 1 ? t.slice(1) : null);

    function join(out, piece) {
      // a space where two names or a name and a number would otherwise run together
      if (!piece) return out;
      const a = out.slice(-1), b = piece[0];
      if ((/[A-Za-z]/.test(a) && /[A-Za-z0-9]/.test(b)) || (a === ")" && /[0-9]/.test(b))) return out + " " + piece;
      return out + piece;
    }
    function delimiter(t, left) {
      const name = cmd(t);
      if (t === "." || name === "." ) return "";
      if (t === "|" || ["vert", "lvert", "rvert", "|"].includes(name)) return left ? "abs(" : ")";
      if (name && NAMED[name]) return NAMED[name];
      if (name === "langle" || name === "rangle") return left ? "(" : ")";
      return t || "";
    }
    function arg() {
      // one argument: a {group}, or a single token
      const t = toks[k];
      if (t === undefined) return "";
      if (t === "{") {
        k++;
        const inner = seq(new Set(["}"]));
        k++;
        return inner;
      }
      return item();
    }
    function rawArg() {
      // a {group} of plain characters, as written (an environment's name, a name in \operatorname{…})
      if (toks[k] !== "{") return null;
      let depth = 0, out = "";
      for (let j = k; j < toks.length; j++) {
        if (toks[j] === "{") depth++;
        else if (toks[j] === "}") depth--;
        else if (toks[j].length !== 1) return null;
        else out += toks[j];
        if (depth === 0) {
          k = j + 1;
          return out;
        }
      }
      return null;
    }
    function matrix(env) {
      const rows = [[]];
      for (;;) {
        const cell = seq(new Set(["&", "\\\\", "\\cr", "\\end"]));
        rows[rows.length - 1].push(cell.trim());
        const t = toks[k];
        if (t === undefined) break;
        k++;
        if (t === "\\end") {
          rawArg();
          break;
        }
        if (t !== "&") rows.push([]);
      }
      const kept = rows.filter((r) => r.some((c) => c !== ""));
      return "[" + kept.map((r) => "[" + r.join(", ") + "]").join(", ") + "]";
    }
    function item() {
      const t = toks[k++];
      const name = cmd(t);
      if (name === null) {
        if (t === "{") {
          const inner = seq(new Set(["}"]));
          k++;
          return inner;
        }
        if (t === "^") {
          if (cmd(peek()) === "prime" || (peek() === "{" && cmd(toks[k + 1]) === "prime" && toks[k + 2] === "}")) {
            k += peek() === "{" ? 3 : 1;
            return "'";
          }
          const e = arg().trim();
          return e ? "^(" + e + ")" : "";
        }
        if (t === "_") {
          const s = arg().trim();
          return /^[A-Za-z0-9]+$/.test(s) ? "_" + s : s ? "_(" + s + ")" : "";
        }
        if (t === "&") return ", ";
        if (t === "~") return " ";
        return t;
      }
      if (FRACS.has(name)) {
        const a = arg(), b = arg();
        return "(" + a + ")/(" + b + ")";
      }
      if (name === "sqrt") {
        let index = null;
        if (peek() === "[") {
          k++;
          index = seq(new Set(["]"]));
          k++;
        }
        const a = arg();
        return index ? "(" + a + ")^(1/(" + index + "))" : "sqrt(" + a + ")";
      }
      if (LEFTS.has(name)) return delimiter(toks[k++], true);
      if (RIGHTS.has(name)) return delimiter(toks[k++], false);
      if (name === "begin") {
        const env = rawArg() || "";
        return /matrix\*?$/.test(env) ? matrix(env) : "";
      }
      if (name === "end") {
        rawArg();
        return "";
      }
      if (name === "placeholder") {
        if (peek() === "[") {
          while (k < toks.length && toks[k] !== "]") k++;
          k++;
        }
        arg();
        return "";
      }
      if (WRAPS.has(name)) {
        const start = k;
        const word = rawArg();
        if (word !== null && /^[A-Za-z]+$/.test(word)) return (FUNCS.has(word) ? " " : "") + word;
        k = start;
        const inner = arg();
        return name === "text" || name === "textrm" ? " " + inner + " " : inner;
      }
      if (name === "\\") return ", ";
      if (SPACES.has(name)) return " ";
      if (Object.prototype.hasOwnProperty.call(NAMED, name)) return NAMED[name];
      return name; // \sin, \pi, \alpha …: the name itself
    }
    function seq(stops) {
      let out = "";
      while (k < toks.length && !stops.has(toks[k])) {
        const before = toks[k];
        let piece = item();
        if (cmd(before) && FUNCS.has(cmd(before)) && /[A-Za-z0-9)]$/.test(out)) out += " ";
        out = join(out, piece);
      }
      return out;
    }
    return seq(new Set()).replace(/\s+/g, " ").trim();
  }

  // ---- the answer fields
  const mf = () => $("answer-math");
  const useText = () => $("use-text").checked;

  function answerText() {
    if (useText()) return $("answer-text").value;
    try {
      return latexToText(mf().getValue("latex"));
    } catch (e) {
      return mf().getValue("ascii-math");
    }
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

  window.symtutorLatexToText = latexToText; // for the tests

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
