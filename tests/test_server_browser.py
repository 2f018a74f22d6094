"""The practice app of `symtutor serve`, played in Debian's headless Chromium through Playwright.

Right and wrong answers typed in the MathLive field are marked as `symtutor.check` marks them, the
diagnosis is shown, a hint is taken, and the progress is still there after a reload and after a
restart of the server.  With SYMTUTOR_SCREENSHOTS=docs/images it also saves the README's screenshots.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import symtutor as st
from symtutor.sandbox import default_sandbox

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - the test is skipped then
    expect = sync_playwright = None

from .test_server import running

SHOTS = os.environ.get("SYMTUTOR_SCREENSHOTS")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _missing() -> str | None:
    if not CHROMIUM:
        return "Chromium is not installed (Debian: apt-get install chromium)"
    for module in ("playwright", "fastapi", "uvicorn"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed"
    return None


@pytest.fixture
def browser():
    why = _missing()
    if why:
        if os.environ.get("SYMTUTOR_REQUIRE_BROWSER"):
            pytest.fail(f"SYMTUTOR_REQUIRE_BROWSER is set but {why}")
        pytest.skip(why)
    # the oracle's sandbox worker is forked now, before the Playwright driver's pipes exist, so that
    # it does not hold them open (the driver waits for them to close when it stops)
    default_sandbox().run(int, timeout=30)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            yield b
        finally:
            b.close()


def type_math(page, text: str) -> None:
    """Type an answer into the focused MathLive field with the keyboard: after ^ the exponent, then leave it."""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "^":
            j = i + 1
            while j < len(text) and (text[j].isalnum() or (j == i + 1 and text[j] == "-")):
                j += 1
            page.keyboard.type("^" + text[i + 1:j], delay=20)
            page.keyboard.press("ArrowRight")
            i = j
            continue
        if c not in "* ":
            page.keyboard.type(c, delay=20)
        i += 1


def exercise_on(page):
    eid = page.locator("#exercise-id").inner_text()
    topic, difficulty, seed = re.fullmatch(r"(\w+)-(\d)-(\d+)", eid).groups()
    return st.generate(topic, seed=int(seed), difficulty=int(difficulty))


def enter_math(page, text: str) -> None:
    """Click the maths field, empty it and type `text`, as a person would: after the field has taken focus."""
    field = page.locator("#answer-math")
    for _ in range(3):
        field.click()
        field.evaluate("mf => mf.setValue('')")
        expect(field).to_be_focused()
        page.wait_for_timeout(100)  # a person does not type within milliseconds of a click
        type_math(page, text)
        typed = field.evaluate("mf => mf.getValue('ascii-math')").replace(" ", "")
        if typed[:1] == text[:1]:
            return
    raise AssertionError(f"the maths field holds {typed!r} after typing {text!r}")


def answer(page, text: str) -> None:
    enter_math(page, text)
    page.keyboard.press("Enter")


def test_practice_in_the_browser(browser, tmp_path):
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "progress.sqlite3"
    problems: list[str] = []

    def watch(page):
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append("failed: " + r.url))

    with running("--workers", "2", db=db) as server:
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        watch(page)
        page.goto(server.url)  # the URL as printed, token and all
        page.wait_for_selector("#exercise-id")
        assert page.url.rstrip("/") == server.base  # the token went into a cookie
        page.fill("#learner", "ada")
        page.click("#start")
        expect(page.locator("#progress-text")).to_have_text("No attempts recorded yet.")

        # a right answer, typed in the maths field, marked as symtutor.check marks it
        ex = exercise_on(page)
        assert ex.check(ex.answer_text).correct
        answer(page, ex.answer_text)
        page.wait_for_selector("#feedback.correct", timeout=20_000)
        assert "Correct!" in page.inner_text("#feedback")
        assert page.inner_text("#score") == "Score: 1.00 / 1"
        page.keyboard.press("Enter")  # focus is on Next: the keyboard alone moves on
        expect(page.locator("#exercise-id")).not_to_have_text(ex.id)

        # a wrong answer: the diagnosis the library gives, shown; the live echo says what was read
        ex = exercise_on(page)
        wrong = f"-{ex.answer_text}" if not ex.answer_text.startswith("-") else ex.answer_text[1:]
        oracle = ex.check(wrong)
        assert oracle.status == "incorrect" and oracle.diagnosis
        enter_math(page, wrong)
        expect(page.locator("#understood")).to_contain_text("(", timeout=20_000)
        page.keyboard.press("Enter")
        page.wait_for_selector("#feedback.incorrect", timeout=20_000)
        assert oracle.message in page.inner_text("#feedback")
        assert page.locator(".diagnosis").get_attribute("data-diagnosis") == oracle.diagnosis

        # a hint
        page.click("#hint")
        page.wait_for_selector("#hints li", timeout=20_000)
        assert page.locator("#hints li").first.inner_text() == ex.hints[0]
        page.wait_for_selector("#chart svg", timeout=20_000)
        page.screenshot(path=str(shots / "serve-desktop.png"), full_page=True)

        # at phone width: nothing wider than the screen, the keypad's toggle within reach
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                 has_touch=True)
        watch(phone)
        phone.goto(server.base + "/")
        phone.wait_for_selector("#exercise-id")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.screenshot(path=str(shots / "serve-phone.png"), full_page=True)
        phone.close()

        # reload: the session and the recorded attempts are still there
        page.reload()
        page.wait_for_selector("#exercise-id")
        assert page.locator("#exercise-id").inner_text() == ex.id
        assert page.locator("#hints li").count() == 1
        page.wait_for_selector("text=2 attempt(s) recorded for ada")

    # and across a restart of the server on the same store and port
    with running("--workers", "1", db=db, port=server.port) as server:
        page.goto(server.url)
        page.wait_for_selector("#exercise-id")
        page.wait_for_selector("text=2 attempt(s) recorded for ada", timeout=20_000)
    assert not problems, problems


LATEX_READINGS = [  # what MathLive's field holds, and the text it must be read as
    (r"x^3\exp\left(x\right)+3x^2\exp\left(x\right)", "x^3*exp(x) + 3*x^2*exp(x)"),
    (r"-48x\sin\left(4x^2-2\right)\cos\left(4x^2-2\right)^5", "-48*x*sin(4*x^2 - 2)*cos(4*x^2 - 2)^5"),
    (r"\frac{2}{x^2}+\frac{4}{x^3}", "2/x^2 + 4/x^3"),
    (r"-\tanh\left(\frac{19}{25}\right)", "-tanh(19/25)"),
    (r"\sqrt{5}\left(x-1\right)", "sqrt(5)*(x - 1)"),
    (r"\sqrt[3]{x}", "x^(1/3)"),
    (r"\mathrm{e}^{2x}\cdot y", "exp(2*x)*y"),
    (r"\exponentialE^{x}\sin x", "exp(x)*sin(x)"),
    (r"\sin^2\left(x\right)", "sin(x)^2"),
    (r"\left\lbrack\left\lbrack-2y,-2x\right\rbrack,\left\lbrack-2x,6\right\rbrack\right\rbrack",
     "[[-2*y, -2*x], [-2*x, 6]]"),
    (r"\begin{pmatrix}x & 1\\ 2 & y\end{pmatrix}", "[[x, 1], [2, y]]"),
    (r"\left(-6xy,-3x^2+9y^2\right)", "(-6*x*y, -3*x^2 + 9*y^2)"),
    (r"\mleft(x+1\mright)^{10}", "(x + 1)^10"),
    (r"-1.8588890718712418129", "-1.8588890718712418129"),
    (r"\operatorname{tanh}\left(b+wx\right)", "tanh(b + w*x)"),
]


def test_the_maths_field_is_read_as_it_shows(browser, tmp_path):
    """A power then a function (x^3 e^x) typed in the maths field is one reading, not two.

    Fractions, roots and matrices keep their parts."""
    problems: list[str] = []
    with running("--workers", "1", db=tmp_path / "p.sqlite3") as server:
        page = browser.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server.url)
        page.wait_for_selector("#exercise-id")
        for latex, text in LATEX_READINGS:
            read = page.evaluate("t => window.symtutorLatexToText(t)", latex)
            v = st.validate(read, variables="x,y,b,w")
            assert v.status == "ok", (latex, read, v.message)
            assert st.parse(read, variables="x,y,b,w") == st.parse(text, variables="x,y,b,w"), (latex, read)
        field = page.locator("#answer-math")
        field.click()
        expect(field).to_be_focused()
        page.wait_for_timeout(100)
        type_math(page, "x^3 exp(x) + 3x^2 exp(x)")
        read = field.evaluate("mf => window.symtutorLatexToText(mf.getValue('latex'))")
        assert st.validate(read, variables="x").text == "x^3*exp(x) + 3*x^2*exp(x)", read
        # (MathLive's own ascii-math, "x^3exp (x)+3x^2exp (x)", reads two ways)
    assert not problems, problems
