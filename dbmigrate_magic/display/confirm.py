"""Apply/Cancel buttons for an unconfirmed preview in a notebook (ipywidgets, imported lazily).

The preview is displayed as an ordinary output with a display id, and every later state (running,
with progress; applied; failed; cancelled) *replaces that output in place*: a saved notebook, its
HTML export or a repository's preview keeps the final result as text and HTML, with no widget
state needed. The buttons are a second output that is cleared once the story is over, and whose
text form (all that remains without a kernel) says how to confirm.

Without a widget front end (terminal IPython, nbconvert, CI) the text preview, which names the
flag to pass, is all there is: the buttons are only added when a kernel with widgets runs.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any

from .. import progress

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def widgets_available() -> bool:
    """True inside a Jupyter kernel (where widgets can render), False in terminal IPython."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


@dataclass
class Running:
    """What the cell shows while a confirmed plan runs: the step in progress, elapsed, lock waits."""

    title: str
    lines: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return "\n".join([self.title, *self.lines])

    def _repr_html_(self) -> str:
        import html

        from .change_html import MONO

        body = "".join(f"<div>{html.escape(ln)}</div>" for ln in self.lines[-12:])
        return (
            f"<div class='dbm-result dbm-running' style='text-align:left'><b>{html.escape(self.title)}</b>"
            f"<div style='{MONO}'>{body}</div></div>"
        )


class ProgressOutput:
    """A progress listener that rewrites one output in place (at most 5 times a second, and on every
    step change), so a long run shows step i of N, elapsed, and a lock wait as it happens."""

    def __init__(self, handle: Any, title: str) -> None:
        self.handle = handle
        self.view = Running(title)
        self.last = 0.0

    def __call__(self, event: progress.Event) -> None:
        line = event.line()
        if (
            self.view.lines
            and event.kind in ("lock", "done")
            and self.view.lines[-1]
            .split("] ", 1)[-1]
            .startswith(
                f"step {event.index} of {event.total}: {event.migration} {'waiting' if event.kind == 'lock' else 'running'}"
            )
        ):
            self.view.lines[-1] = line  # the same step's wait grows in place, and its end replaces "running"
        else:
            self.view.lines.append(line)
        now = time.monotonic()
        if event.kind != "lock" or now - self.last > 0.2:
            self.last = now
            self.handle.update(self.view)


def _display_widget(box: Any, fallback: str) -> Any:
    """Display ``box`` as an output whose text form is ``fallback`` (what a saved notebook shows
    without widget state: how to confirm, never ``VBox(...)``)."""
    from IPython.display import display

    bundle = {WIDGET_MIME: box._repr_mimebundle_()[WIDGET_MIME], "text/plain": fallback}
    return display(bundle, raw=True, display_id=True)


def _clear(handles: list[Any]) -> None:
    for h in handles:
        h.update({"text/plain": ""}, raw=True)


@dataclass
class Controls:
    """The widgets of one confirmation, and what happened (``outcome``: the result after a click)."""

    box: Any
    apply: Any
    cancel: Any
    typed: Any  # the text box for the production environment's name, or None
    handles: list[Any] = field(default_factory=list)
    outcome: Any = None
    error: str | None = None


class _NoOutput:
    """A display handle's stand-in when nothing is displayed (tests, a result used from code)."""

    def update(self, obj: Any, **kwargs: Any) -> None:
        pass


def build_controls(result, preview_handle: Any = None) -> Controls:
    """Apply/Cancel (and in production a name box that enables Apply only when it matches);
    every click rewrites ``preview_handle``'s output (the preview) in place."""
    import ipywidgets as w

    preview_handle = preview_handle or _NoOutput()

    preview = result.preview
    apply_btn = w.Button(description="Apply", button_style="danger" if preview.production else "success", icon="play")
    cancel_btn = w.Button(description="Cancel", icon="times", layout=w.Layout(width="auto"))
    typed = None
    row: list = []
    if preview.production:
        typed = w.Text(placeholder=f"type {preview.environment} to enable Apply", description="Confirm:")
        apply_btn.disabled = True
        typed.observe(
            lambda change: setattr(apply_btn, "disabled", change["new"] != preview.environment), names="value"
        )
        row.append(typed)
    row += [apply_btn, cancel_btn]
    controls = Controls(w.HBox(row), apply_btn, cancel_btn, typed)
    state = {"current": result}

    def lock_all(busy: bool) -> None:
        apply_btn.disabled = cancel_btn.disabled = True
        if typed is not None:
            typed.disabled = True
        if busy:
            apply_btn.description, apply_btn.icon = "Applying…", "spinner"

    def finish(new_result) -> None:
        state["current"] = controls.outcome = new_result
        preview_handle.update(new_result)
        apply_btn.description, apply_btn.icon = "Apply", "play"
        if getattr(new_result, "status", "") == "failed" and getattr(new_result, "discard", None) is not None:
            cancel_btn.disabled = False  # the cell's pending file can still go
            cancel_btn.description = "Cancel: remove the file"
            return
        _clear(controls.handles)

    def on_apply(_):
        from ..errors import DbmError, MigrationFailed

        if apply_btn.disabled:
            return
        phrase = typed.value if typed is not None else "yes"
        lock_all(busy=True)
        listener = ProgressOutput(preview_handle, f"{result.verb}: running on {preview.environment}…")
        preview_handle.update(listener.view)
        try:
            with progress.listen(listener):
                new = result.confirm(phrase)  # re-plans, refuses if the plan changed, then runs it
        except MigrationFailed as exc:
            controls.error = exc.message
            new = _failed_result(exc) or ErrorView(exc.message)
        except DbmError as exc:
            controls.error = exc.message
            new = ErrorView(exc.message, result)
        finish(new)

    def on_cancel(_):
        if cancel_btn.disabled:
            return
        lock_all(busy=False)
        current = state["current"]
        finish(current.cancelled() if hasattr(current, "cancelled") else result.cancelled())
        _clear(controls.handles)

    apply_btn.on_click(on_apply)
    cancel_btn.on_click(on_cancel)
    return controls


def _failed_result(exc) -> Any:
    """The failed run's result with the full three-part message (what, what stays, what next)."""
    import dataclasses

    res: Any = exc.result
    if res is None or not dataclasses.is_dataclass(res) or not hasattr(res, "discard"):
        return None
    return dataclasses.replace(res, message=exc.message)  # type: ignore[type-var]  # a ChangeResult instance


@dataclass
class ErrorView:
    """An error after Apply (the plan could not run), shown where the preview was."""

    message: str
    result: Any = None

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        import html

        return (
            "<div class='dbm-result' style='text-align:left;border-left:3px solid var(--jp-error-color1,#cf222e);"
            f"padding-left:8px'><pre style='white-space:pre-wrap'>{html.escape(self.message)}</pre></div>"
        )

    def cancelled(self) -> Any:
        return self.result.cancelled() if self.result is not None else self


def show_confirmation(result) -> Any:
    """Display the preview; in a kernel add Apply/Cancel (production: Apply waits for the typed name).
    Long previews get the buttons above the preview as well as below it."""
    from IPython.display import display

    from .change_html import LONG_PREVIEW_STEPS

    if not widgets_available():
        display(result)  # text + HTML preview, which also says which flag to pass
        return None
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        display(result)
        return None
    long_preview = len(result.preview.steps) > LONG_PREVIEW_STEPS
    top = display({"text/plain": ""}, raw=True, display_id=True) if long_preview else None
    handle = display(result, display_id=True)
    controls = build_controls(result, handle)
    fallback = f"[Apply/Cancel buttons: they work only while the kernel runs] {result.confirm_hint()}"
    if top is not None:
        bundle = {WIDGET_MIME: controls.box._repr_mimebundle_()[WIDGET_MIME], "text/plain": fallback}
        top.update(bundle, raw=True)
        controls.handles.append(top)
    controls.handles.append(_display_widget(controls.box, fallback))
    return None
