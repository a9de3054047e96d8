"""The confirmation every previewed change shares (migrate, rollback, seed, fleets, ...).

One place decides which answer runs a preview: ``y``/``yes`` or the environment's name, and in
production only the name typed back. A result class mixes this in and supplies ``cancelled()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from ..change import Preview


class Confirmable:
    #: the word of the terminal prompt: "Apply? [y/N]", "to apply"
    prompt_verb: ClassVar[str] = "apply"

    status: str
    preview: Preview | None
    runner: Callable[[str | None], Any] | None

    @property
    def needs_confirmation(self) -> bool:
        return self.status == "awaiting confirmation" and self.runner is not None

    def prompt_text(self) -> str:
        if self.preview and self.preview.production:
            return (
                f"Type the environment name ({self.preview.environment}) to {self.prompt_verb}, anything else cancels: "
            )
        return f"{self.prompt_verb.capitalize()}? [y/N] "

    def confirm(self, phrase: str | None) -> Any:
        """Run the preview if ``phrase`` confirms it (y/yes or the environment's name; production: the name)."""
        if not self.needs_confirmation:
            return self
        assert self.preview is not None and self.runner is not None
        answer = (phrase or "").strip()
        if self.preview.production:
            ok = answer == self.preview.environment
        else:
            ok = answer.lower() in ("y", "yes") or answer == self.preview.environment
        if not ok:
            return self.cancelled()
        return self.runner(self.preview.environment if self.preview.production else None)

    def cancelled(self) -> Any:
        raise NotImplementedError
