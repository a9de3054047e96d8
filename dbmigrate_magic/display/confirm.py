"""Apply/Cancel buttons for an unconfirmed preview in a notebook (ipywidgets, imported lazily).

Without a widget front end (terminal IPython, nbconvert, CI) the text preview, which names the
flag to pass, is all there is: the buttons are only added when a kernel with widgets runs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any


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
class Controls:
    """The widgets of one confirmation, and what happened (``outcome``: the result after a click)."""

    box: Any
    apply: Any
    cancel: Any
    typed: Any  # the text box for the production environment's name, or None
    output: Any
    outcome: Any = None
    error: str | None = None


def build_controls(result) -> Controls:
    """Apply/Cancel (and in production a name box that enables Apply only when it matches)."""
    import ipywidgets as w

    preview = result.preview
    apply_btn = w.Button(description="Apply", button_style="danger" if preview.production else "success", icon="play")
    cancel_btn = w.Button(description="Cancel", icon="times")
    out = w.Output()
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
    controls = Controls(w.VBox([w.HBox(row), out]), apply_btn, cancel_btn, typed, out)

    def done(new_result=None, error: str | None = None) -> None:
        apply_btn.disabled = cancel_btn.disabled = True
        if typed is not None:
            typed.disabled = True
        controls.outcome, controls.error = new_result, error
        with out:
            if error:
                print(error)
            else:
                from IPython.display import display

                display(new_result)

    def on_apply(_):
        from ..errors import DbmError

        if apply_btn.disabled:
            return
        phrase = typed.value if typed is not None else "yes"
        try:
            done(result.confirm(phrase))  # re-plans, refuses if the plan changed, then runs it
        except DbmError as exc:
            done(error=exc.message)

    apply_btn.on_click(on_apply)
    cancel_btn.on_click(lambda _: done(result.cancelled()))
    return controls


def show_confirmation(result) -> Any:
    """Display the preview; in a kernel add Apply/Cancel (production: Apply waits for the typed name)."""
    from IPython.display import display

    display(result)  # text + HTML preview, which also says which flag to pass
    if not widgets_available():
        return None
    try:
        controls = build_controls(result)
    except ImportError:
        return None
    display(controls.box)
    return None
