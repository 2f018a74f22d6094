"""The HTTP application: the versioned JSON API under /api/v1, and the practice app's static files.

Every route parses its request (a pydantic model that forbids unknown
fields), calls one library function (in a pool worker where it computes),
and formats the answer.  The OpenAPI schema is served at /api/v1/openapi.json.
"""

from __future__ import annotations

import asyncio
import secrets
from importlib import resources
from typing import Annotated, Literal

from fastapi import FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..checking import MODES
from ..errors import SymtutorError
from ..exercises.core import TOPICS, topics
from ..sandbox import SandboxMemoryError, SandboxTimeout
from .drill import LEARNER, Drills, Stores, progress_json
from .pool import Overloaded, WorkerPool, default_size
from .work import (
    EXERCISE_ID,
    ExerciseCache,
    check_exercise_in_worker,
    check_in_worker,
    exercise_json,
    generate_in_worker,
    parse_exercise_id,
    steps_in_worker,
    undecided,
    validate_in_worker,
)

__all__ = ["create_app", "API"]

API = "/api/v1"
MAX_TEXT = 2000
NAME = r"^[A-Za-z][A-Za-z0-9_]{0,19}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Body(BaseModel):
    """A request body: no unknown fields, and no types coerced (``true`` is not 1, ``"2"`` is not 2)."""

    model_config = ConfigDict(extra="forbid", strict=True)


Text = Annotated[str, Field(max_length=MAX_TEXT)]
Names = Annotated[list[Annotated[str, Field(pattern=NAME)]], Field(max_length=20)]


class ValidateRequest(_Body):
    answer: Text
    variables: Names | None = None
    functions: Annotated[list[Annotated[str, Field(pattern=NAME)]], Field(max_length=10)] = []


class Reading(_Strict):
    text: str
    latex: str


class Validation(_Strict):
    status: Literal["ok", "ambiguous", "invalid"]
    text: str
    latex: str
    readings: list[Reading]
    message: str


class CheckRequest(_Body):
    answer: Text
    exercise_id: Annotated[str, Field(pattern=EXERCISE_ID)] | None = None
    expected: Text | None = None
    mode: Literal[MODES] = "equivalent"  # type: ignore[valid-type]
    variables: Names | None = None
    function: Text | None = None
    wrt: Annotated[str, Field(pattern=NAME)] | None = None
    point: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)] | None = None
    order: Annotated[int, Field(ge=0, le=12)] | None = None
    tolerance: Annotated[float, Field(gt=0, lt=1)] | None = None

    @model_validator(mode="after")
    def _one_question(self):
        if (self.exercise_id is None) == (self.expected is None):
            raise ValueError("give exactly one of exercise_id and expected")
        options = (self.variables, self.function, self.wrt, self.point, self.order, self.tolerance)
        if self.exercise_id is not None and (any(v is not None for v in options) or self.mode != "equivalent"):
            raise ValueError("an exercise_id brings its own variables, mode and options: give only the answer")
        return self


class FeedbackOut(_Strict):
    status: Literal["correct", "incorrect", "invalid", "undecided"]
    correct: bool
    score: float
    message: str
    diagnosis: str | None
    understood: str
    understood_latex: str
    wrong_entries: list[list[int]]


class ExerciseQuery(_Strict):
    topic: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
    difficulty: Annotated[int, Field(ge=1, le=3)] = 1
    seed: Annotated[int, Field(ge=0, le=999_999_999)] = 0


class Maths(_Strict):
    text: str
    latex: str


class ExerciseOut(_Strict):
    id: str
    topic: str
    topic_description: str
    week: int
    difficulty: int
    seed: int | None
    prompt: str
    prompt_latex: str
    variables: list[str]
    mode: str
    hint_count: int
    function: Maths | None = None
    hints: list[str] | None = None
    solution: list[str] | None = None
    answer: Maths | None = None


class StepsRequest(_Body):
    kind: Literal["derivative", "gradient", "jacobian", "hessian"] = "derivative"
    expr: Text
    variables: Annotated[str, Field(max_length=200)] | Names


class StepNode(BaseModel):
    rule: str
    formula: str
    formula_latex: str
    expr: Maths
    var: str
    result: Maths
    children: list[StepNode]


class StepsOut(_Strict):
    kind: str
    text: str
    latex: str
    result: Maths
    variables: list[str]
    tree: StepNode | None = None
    entries: list[list[StepNode]] | None = None
    mirrored: list[list[int]] | None = None


class TopicOut(_Strict):
    id: str
    week: int
    description: str
    levels: list[str]


class TopicState(_Strict):
    topic: str
    week: int
    level: int
    mastery: float
    attempts: int
    last_seen: str | None


class AttemptOut(_Strict):
    at: str
    exercise_id: str
    topic: str
    status: str
    score: float
    hints: int


class ProgressOut(_Strict):
    learner: str
    attempts: int
    topics: list[TopicState]
    history: list[AttemptOut]


Learner = Annotated[str, Field(pattern=LEARNER)] | Literal[""]


class ProgressQuery(_Strict):
    learner: Learner = ""


class PracticeRequest(_Body):
    learner: Learner = ""
    topics: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=40)] | None = None
    difficulty: Annotated[int, Field(ge=1, le=3)] | None = None
    count: Annotated[int, Field(ge=1, le=50)] = 10
    seed: Annotated[int, Field(ge=0, le=999_999_999)] | None = None
    resume: Annotated[str, Field(max_length=40)] | None = None


class TurnRequest(_Body):
    action: Literal["answer", "hint", "steps", "skip", "next"]
    answer: Text = ""


class TurnOut(_Strict):
    kind: str
    text: str
    done: bool
    feedback: FeedbackOut | None = None
    recorded: dict | None = None
    answer: str | None = None


class SummaryOut(_Strict):
    exercises: int
    seconds: float
    suggestion: str
    scores: dict


class PracticeOut(_Strict):
    session: str
    learner: str
    index: int
    count: int
    score: float
    finished_exercises: int
    exercise: ExerciseOut | None
    hints_taken: list[str]
    exercise_done: bool
    last: TurnOut | None
    summary: SummaryOut | None


class ErrorOut(BaseModel):
    error: str
    message: str


_ERRORS = {400: {"model": ErrorOut, "description": "the body is not JSON"},
           401: {"model": ErrorOut, "description": "the access token is missing or wrong"},
           403: {"model": ErrorOut, "description": "a Host other than this machine's, on loopback"},
           408: {"model": ErrorOut, "description": "the body did not arrive in time"},
           413: {"model": ErrorOut, "description": "the body is too large"},
           422: {"model": ErrorOut, "description": "the request is not what the route takes"},
           503: {"model": ErrorOut, "description": "every worker is busy: retry after the Retry-After seconds"}}
_SESSION_ERRORS = {**_ERRORS, 404: {"model": ErrorOut, "description": "no such practice session"}}
_TURN_ERRORS = {**_SESSION_ERRORS, 409: {"model": ErrorOut, "description": "not a turn this session can take now"}}

_CODES = {400: "invalid_body", 404: "not_found", 405: "method_not_allowed", 408: "too_slow", 409: "conflict",
          413: "too_large", 422: "invalid_argument"}

_STATIC = resources.files("symtutor.server") / "static"


def _error(status: int, code: str, message: str, headers=None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def create_app(*, db=None, workers: int | None = None, queue: int | None = None, wait: float = 5.0,
               check_timeout: float = 1.0, on_ready=None) -> FastAPI:
    """The ASGI application (the access token and other outer guards are :class:`symtutor.server.guard.Guard`).

    ``workers`` sandboxes (default: one per core) take the checks; at most
    ``queue`` requests wait for one (default 32 per worker), none longer than ``wait`` s.

    Examples:
        >>> app = create_app(workers=1)
        >>> app.openapi()["info"]["title"]
        'symtutor'
    """
    size = workers or default_size()
    pool = WorkerPool(size, queue=queue if queue is not None else 32 * size, wait=wait)
    stores = Stores(db)
    drills = Drills(stores)
    exercises = ExerciseCache()

    async def lifespan(app):
        await run_in_threadpool(pool.start)
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            pool.close()
            stores.close()

    app = FastAPI(title="symtutor", version=__version__, openapi_url=f"{API}/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan,
                  description="Validate, check, generate and derive: symtutor's checker as a JSON API.")
    app.state.pool = pool
    app.state.stores = stores

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error(400, "invalid_json", "the body is not valid JSON")
        first = errors[0] if errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = first.get("msg", "invalid request")
        if first.get("type") == "extra_forbidden":
            message = "unknown field"
        return _error(422, "invalid_request", f"{where}: {message}" if where else message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = _CODES.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(SymtutorError)
    async def _symtutor(request: Request, exc: SymtutorError):
        return _error(422, "invalid_argument", str(exc).splitlines()[0])

    @app.exception_handler(Overloaded)
    async def _overloaded(request: Request, exc: Overloaded):
        return _error(503, "overloaded", f"the server is busy ({exc}); try again shortly", {"Retry-After": "1"})

    async def in_worker(fn, *args, timeout: float):
        async with pool.slot() as box:
            try:
                return await run_in_threadpool(box.run, fn, *args, timeout=timeout)
            except SandboxTimeout:
                raise HTTPException(422, f"this took longer than {timeout:g} s, so it was stopped") from None
            except SandboxMemoryError:
                raise HTTPException(422, "this needed too much memory, so it was stopped") from None
            except RecursionError:
                raise HTTPException(422, "this is nested too deeply") from None

    async def exercise(eid: str):
        ex = exercises.get(eid)
        if ex is None:
            topic, difficulty, seed = parse_exercise_id(eid)
            ex = await in_worker(generate_in_worker, topic, difficulty, seed, timeout=30)
            exercises.put(ex)
        return ex

    @app.post(f"{API}/validate", response_model=Validation, responses=_ERRORS, tags=["answers"])
    async def validate(req: ValidateRequest):
        """What was understood of an answer, as text and LaTeX, with every reading of an ambiguous one.

        Never a verdict: nothing is marked."""
        return await in_worker(validate_in_worker, req.answer, req.variables, tuple(req.functions),
                               timeout=check_timeout)

    @app.post(f"{API}/check", response_model=None, responses={200: {"model": FeedbackOut}, **_ERRORS},
              tags=["answers"])
    async def check_answer(req: CheckRequest) -> JSONResponse:
        """The Feedback on an answer: to an exercise (by its id, topic-difficulty-seed), or to a given expected answer."""
        if req.exercise_id is not None:
            parse_exercise_id(req.exercise_id)  # an unknown topic is the caller's mistake: 422
            fn, args = check_exercise_in_worker, (req.exercise_id, req.answer)
        else:
            options = {k: getattr(req, k) for k in ("variables", "mode", "tolerance", "function", "wrt", "point", "order")}
            fn, args = check_in_worker, (req.answer, req.expected, options)
        async with pool.slot() as box:
            try:  # the worker's dict has the FeedbackOut fields: sent as it is, the hot path stays short
                return JSONResponse(await run_in_threadpool(box.run, fn, *args, timeout=check_timeout + 2))
            except (SandboxTimeout, SandboxMemoryError, RecursionError):
                return JSONResponse(undecided(check_timeout))

    @app.get(f"{API}/exercise", response_model=ExerciseOut, responses=_ERRORS, tags=["exercises"])
    async def get_exercise(q: Annotated[ExerciseQuery, Query()]):
        """An exercise generated from topic, difficulty and seed (the same three, the same exercise), answer included."""
        if q.topic not in topics():
            raise HTTPException(422, f"unknown topic {q.topic!r}; see {API}/topics")
        return exercise_json(await exercise(f"{q.topic}-{q.difficulty}-{q.seed}"))

    @app.get(f"{API}/topics", response_model=list[TopicOut], tags=["exercises"])
    async def get_topics():
        """The topics, in course order, with their weeks and difficulty levels."""
        topics()
        return [{"id": t.id, "week": t.week, "description": t.description, "levels": list(t.levels)}
                for t in TOPICS.values()]

    @app.post(f"{API}/steps", response_model=StepsOut, responses=_ERRORS, tags=["derivations"])
    async def steps(req: StepsRequest):
        """A derivation step by step: a tree of rules (or a matrix of trees), with text and LaTeX renderings."""
        variables = req.variables if isinstance(req.variables, str) else ",".join(req.variables)
        return await in_worker(steps_in_worker, req.kind, req.expr, variables, timeout=5.0)

    @app.get(f"{API}/progress", response_model=ProgressOut, responses=_ERRORS, tags=["progress"])
    async def progress(q: Annotated[ProgressQuery, Query()]):
        """A learner's level and mastery per topic, and their latest attempts, from the progress store."""
        return await run_in_threadpool(progress_json, stores, q.learner)

    @app.post(f"{API}/practice", response_model=PracticeOut, responses=_ERRORS, tags=["practice"])
    async def practice_start(req: PracticeRequest):
        """Start a practice session: exercises chosen from the learner's history, recorded in the store.

        With ``resume``, the learner's open session of that id carries on, if the server still has it."""
        drill = drills.get(req.resume) if req.resume else None
        if drill is not None and drill.learner == req.learner:
            return await run_in_threadpool(drill.state)
        drill = await run_in_threadpool(drills.start, req.learner, topics=req.topics, difficulty=req.difficulty,
                                        count=req.count, seed=req.seed)
        drill.lock = asyncio.Lock()
        return await run_in_threadpool(drill.state)

    def _drill(sid: str):
        drill = drills.get(sid)
        if drill is None:
            raise HTTPException(404, "no such practice session (it may have ended): start a new one")
        return drill

    @app.get(f"{API}/practice/{{sid}}", response_model=PracticeOut, responses=_SESSION_ERRORS, tags=["practice"])
    async def practice_state(sid: Annotated[str, Path(max_length=40)]):
        """Where a practice session stands."""
        drill = _drill(sid)
        return await run_in_threadpool(drill.state)

    @app.post(f"{API}/practice/{{sid}}/turn", response_model=PracticeOut, responses=_TURN_ERRORS, tags=["practice"])
    async def practice_turn(sid: Annotated[str, Path(max_length=40)], req: TurnRequest):
        """An answer, a hint, the worked steps, a skip, or the next exercise."""
        drill = _drill(sid)
        async with drill.lock:
            if drill.practice.current is None:
                raise HTTPException(409, "the session is over")
            if req.action == "next":
                if not drill.done:
                    raise HTTPException(409, "answer, skip or ask for the steps first")
                await run_in_threadpool(drill.next)
            elif drill.done:
                raise HTTPException(409, "this exercise is over: ask for the next one")
            elif req.action == "answer":
                if not req.answer.strip() or req.answer.strip().lower() in ("hint", "steps", "skip", "quit",
                                                                            "exit", "q", "help", "?"):
                    raise HTTPException(422, "type an answer")
                async with pool.slot() as box:
                    await run_in_threadpool(drill.turn, req.answer, box)
            else:
                await run_in_threadpool(drill.turn, req.action)
            return await run_in_threadpool(drill.state)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def index():
        return FileResponse(_STATIC / "index.html", headers={"cache-control": "no-store"})

    app.mount("/static", StaticFiles(directory=str(_STATIC)), name="static")
    app.openapi = lambda: _with_token(app)
    return app


def _with_token(app: FastAPI) -> dict:
    """The schema, saying how to send the access token (asked for beyond loopback, or with --require-token)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        doc.setdefault("components", {})["securitySchemes"] = {
            "token": {"type": "http", "scheme": "bearer",
                      "description": "the token 'symtutor serve' printed (also taken from ?token= or its cookie)"}}
        doc["security"] = [{}, {"token": []}]
        app.openapi_schema = doc
    return app.openapi_schema


def new_token() -> str:
    """A fresh access token.

    Examples:
        >>> len(new_token()) >= 32
        True
    """
    return secrets.token_urlsafe(24)
