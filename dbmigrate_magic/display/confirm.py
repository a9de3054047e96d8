"""Apply/Cancel buttons for an unconfirmed preview in a notebook (ipywidgets, imported lazily).

Without a widget front end (terminal IPython, nbconvert, CI) the text preview, which names the
flag to pass, is all there is: the buttons are only added when a kernel with widgets runs.
"""
from __future__ import annotations

import sys
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


def show_confirmation(result) -> Any:
    """Display the preview; in a kernel add Apply/Cancel (production: Apply waits for the typed name)."""
    from IPython.display import display

    display(result)  # text + HTML preview, which also says which flag to pass
    if not widgets_available():
        return None
    try:
        import ipywidgets as w
    except ImportError:
        return None
    preview = result.preview
    apply_btn = w.Button(description="Apply", button_style="danger" if preview.production else "success",
                         icon="play")
    cancel_btn = w.Button(description="Cancel", icon="times")
    out = w.Output()
    controls: list = []
    typed = None
    if preview.production:
        typed = w.Text(placeholder=f"type {preview.environment} to enable Apply",
                       description="Confirm:")
        apply_btn.disabled = True

        def on_type(change):
            apply_btn.disabled = change["new"] != preview.environment

        typed.observe(on_type, names="value")
        controls.append(typed)
    controls += [apply_btn, cancel_btn]

    def finish(new_result):
        apply_btn.disabled = cancel_btn.disabled = True
        if typed is not None:
            typed.disabled = True
        with out:
            display(new_result)

    def on_apply(_):
        from ..errors import DbmError

        phrase = typed.value if typed is not None else "yes"
        try:
            new_result = result.confirm(phrase)
        except DbmError as exc:
            apply_btn.disabled = cancel_btn.disabled = True
            with out:
                print(exc.message)
            return
        finish(new_result)

    apply_btn.on_click(on_apply)
    cancel_btn.on_click(lambda _: finish(result.cancelled()))
    display(w.VBox([w.HBox(controls), out]))
    return None
