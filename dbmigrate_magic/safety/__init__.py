"""Safety layer: the migration linter (``safety.lint``) and the production guard."""
